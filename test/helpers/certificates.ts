/** Self-signed certificates for the private test servers (openssl, which Debian always has). */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** A self-signed certificate for `name` (default localhost), valid two days: PEM files `cert` and `key`. */
export async function selfSignedCertificate(cert: string, key: string, name = "localhost"): Promise<void> {
  mkdirSync(dirname(cert), { recursive: true });
  mkdirSync(dirname(key), { recursive: true });
  const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`];
  await new Promise<void>((resolve, reject) =>
    execFile("openssl", [...args, "-addext", `subjectAltName=DNS:${name}`, "-keyout", key, "-out", cert], (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}
