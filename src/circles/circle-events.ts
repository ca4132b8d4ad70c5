/** What the circle service emits (src/events.ts). */
export interface CircleEvents {
  "circle-changed": {
    readonly id: string;
    readonly change: "created" | "renamed" | "rooms-changed" | "member-added" | "member-removed" | "deleted";
    /** Bare JID of the admin. */
    readonly by: string;
  };
}
