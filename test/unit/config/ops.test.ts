/** OPS_LISTEN (src/config/ops.ts): loopback by default, `off`, host:port or [v6]:port, and a problem otherwise. */
import { describe, expect, it } from "vitest";
import { localUrl, readOps } from "../../../src/config/ops.js";

function read(value: string | undefined) {
  const problems: string[] = [];
  const ops = readOps({ optional: () => value, problems });
  return { ops, problems };
}

describe("OPS_LISTEN", () => {
  it("is 127.0.0.1:9090 unless set", () => {
    expect(read(undefined)).toEqual({ ops: { listen: { host: "127.0.0.1", port: 9090 } }, problems: [] });
  });

  it("takes host:port and [v6]:port, and off", () => {
    expect(read("0.0.0.0:9100").ops).toEqual({ listen: { host: "0.0.0.0", port: 9100 } });
    expect(read("[::1]:9090").ops).toEqual({ listen: { host: "::1", port: 9090 } });
    expect(read("OFF")).toEqual({ ops: undefined, problems: [] });
  });

  it("lists anything else as a problem", () => {
    for (const value of ["9090", "127.0.0.1", "127.0.0.1:70000", "no"]) {
      expect(read(value).problems).toEqual([
        `OPS_LISTEN must be host:port (for example OPS_LISTEN=127.0.0.1:9090) or off, got "${value}"`,
      ]);
    }
  });

  it("is asked on this host's loopback when it listens on every address", () => {
    expect(localUrl({ host: "0.0.0.0", port: 9090 }, "/healthz")).toBe("http://127.0.0.1:9090/healthz");
    expect(localUrl({ host: "::", port: 9090 }, "/healthz")).toBe("http://[::1]:9090/healthz");
    expect(localUrl({ host: "10.0.0.5", port: 9100 }, "/healthz")).toBe("http://10.0.0.5:9100/healthz");
  });
});
