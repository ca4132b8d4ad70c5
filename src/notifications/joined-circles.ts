/**
 * The circles a newcomer is in, in words, for the use notice ("zoe joined Family and Chess club through your
 * invite", docs/circles.md). The join comes before the use is recorded (the Prosody module, and the bot as the hook,
 * both join first), so the circles are there when the event is read.
 */
import type { CircleStore } from "../circles/store.js";

const LIST = new Intl.ListFormat("en", { style: "long", type: "conjunction" });

export type JoinedCircles = (jid: string) => Promise<string>;

export function joinedCirclesFrom(circles: Pick<CircleStore, "list">): JoinedCircles {
  return async (jid) => {
    const names = (await circles.list()).filter((circle) => circle.members.includes(jid)).map((circle) => circle.name);
    return LIST.format(names);
  };
}
