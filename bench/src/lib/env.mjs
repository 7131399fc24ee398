import os from "node:os";

/** No AWS client the bench builds (ours and the peers') may probe the instance metadata service. */
export function quietAwsSdk() {
  process.env.AWS_EC2_METADATA_DISABLED = "true";
}

/** The machine the numbers came from. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
