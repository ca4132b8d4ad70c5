/**
 * The circles a newcomer is in, read once per use event: for their group chats (src/rooms/room-welcome.ts) and, in
 * words, for the use notice ("zoe joined Family and Chess club through your invite", docs/circles.md). The join
 * comes before the use is recorded (the Prosody module, and the bot as the hook, both join first), so the circles
 * are there when the event is read.
 */
import type { Circle } from "../circles/circle.js";
import type { CircleStore } from "../circles/store.js";

/** Made on first use: ICU's set-up is ~10 ms of the bot's start otherwise (docs/benchmarks.md, "Start-up"). */
let list: Intl.ListFormat | undefined;

export type JoinedCircles = (jid: string) => Promise<readonly Circle[]>;

export function joinedCirclesFrom(circles: Pick<CircleStore, "list">): JoinedCircles {
  return async (jid) => (await circles.list()).filter((circle) => circle.members.includes(jid));
}

/** "Family and Chess club"; "" for none. */
export function circleNames(circles: readonly Circle[]): string {
  list ??= new Intl.ListFormat("en", { style: "long", type: "conjunction" });
  return list.format(circles.map((circle) => circle.name));
}
