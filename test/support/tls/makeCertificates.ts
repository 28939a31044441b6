import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** A CA (and another one) and a server certificate the first signed for `serverName` and 127.0.0.1, made with openssl for this run. */
export function makeCertificates(serverName: string): {
  caPem: string;
  otherCaPem: string;
  certificatePem: string;
  privateKeyPem: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), "crp-tls-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  try {
    for (const ca of ["ca", "other-ca"]) {
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${ca}`,
        "-keyout",
        file(`${ca}.key`),
        "-out",
        file(`${ca}.pem`),
      );
    }
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${serverName}`,
      "-keyout",
      file("server.key"),
      "-out",
      file("server.csr"),
    );
    writeFileSync(file("san.ext"), `subjectAltName=DNS:${serverName},IP:127.0.0.1\n`);
    openssl(
      "x509",
      "-req",
      "-in",
      file("server.csr"),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      file("san.ext"),
      "-out",
      file("server.pem"),
    );
    return {
      caPem: readFileSync(file("ca.pem"), "utf8"),
      otherCaPem: readFileSync(file("other-ca.pem"), "utf8"),
      certificatePem: readFileSync(file("server.pem"), "utf8"),
      privateKeyPem: readFileSync(file("server.key"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
