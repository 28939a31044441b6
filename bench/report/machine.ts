import { spawnSync } from "node:child_process";
import * as os from "node:os";
import type { Redis } from "ioredis";

/** What the figures were measured on, as one markdown paragraph. */
export async function describeMachine(redis: Redis, loadAtStart: readonly number[]): Promise<string> {
  const cpus = os.cpus();
  const redisVersion = /redis_version:([^\r\n]+)/.exec(await redis.info("server"))?.[1] ?? "unknown";
  const moto = spawnSync("python", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  const motoVersion = moto.status === 0 ? moto.stdout.trim() : "unknown";
  const load = (values: readonly number[]): string => values.map((v) => v.toFixed(1)).join(" / ");
  return [
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}. `,
    `Node ${process.version}, Redis ${redisVersion}, moto ${motoVersion}, AWS SDK v3 clients pointed at moto by endpoint. `,
    `Load average (1 / 5 / 15 min) at the start: ${load(loadAtStart)}, at the end: ${load(os.loadavg())} — other sessions share this machine, which is why every figure is set against its floor measured in the same run.`,
  ].join("");
}
