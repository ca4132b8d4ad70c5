/** Circles (src/circles/circle.ts) for the CircleStore contract, each with a new id. */
import { type Circle, type CircleWithMembers, newCircleId } from "../../src/circles/circle.js";

let made = 0;

/** Names no other circle of this run has, each its word then one number (so they sort by their words). */
export function circleNames(words: readonly string[]): string[] {
  made += 1;
  return words.map((word) => `${word} ${process.pid}.${made}`);
}

/** A name no other circle of this run has. */
export function circleName(): string {
  return circleNames(["Circle"])[0] as string;
}

/** A circle no other test (nor an earlier run on the same backend) has made. */
export function newCircle(name = circleName()): Circle {
  return {
    id: newCircleId(),
    name,
    rooms: ["chat@rooms.example.org"],
    createdAt: 1_790_000_000,
    createdBy: "admin@example.org",
  };
}

/** The circle as the store hands it out, with these members. */
export function withMembers(circle: Circle, members: readonly string[] = []): CircleWithMembers {
  return { ...circle, members };
}
