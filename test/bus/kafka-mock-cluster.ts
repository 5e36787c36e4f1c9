/**
 * A real Kafka-protocol broker for tests: librdkafka's mock cluster, run by
 * `kcat` (Debian's kcat is librdkafka 2.0.2). The cluster lives in the kcat
 * process, on a random port it prints at start; `stop()` kills it. It has no
 * CreateTopics: topics are created on first use (4 partitions each).
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface MockCluster {
  /** `host:port,host:port,…` of the cluster's brokers. */
  bootstrap: string;
  stop: () => Promise<void>;
}

const START_LIMIT_MS = 10_000;
// kcat's notice: "Mock cluster enabled: … replaced with 127.0.0.1:39505,127.0.0.1:46109,…"
const BOOTSTRAP_LINE = /Mock cluster enabled: .* replaced with (\S+)\r?\n/;

/** Starts a mock cluster of `brokers` brokers; throws saying what to install when kcat is missing. */
export async function startMockCluster(brokers = 3): Promise<MockCluster> {
  // A consumer on a topic of its own keeps kcat (and the cluster) running until killed.
  const kcat = spawn(
    "kcat",
    ["-b", "127.0.0.1:1", "-X", `test.mock.num.brokers=${brokers}`, "-q", "-C"].concat([
      "-t",
      "claypipe-mock-keepalive",
      "-o",
      "end",
    ]),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const bootstrap = await readBootstrap(kcat).catch((error: unknown) => {
    kcat.kill("SIGKILL");
    throw error;
  });
  // Drain its log so kcat never blocks on a full pipe.
  kcat.stderr?.resume();
  return { bootstrap, stop: () => stop(kcat) };
}

function readBootstrap(kcat: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () =>
        fail(`kcat printed no mock cluster address within ${START_LIMIT_MS / 1000} s: ${output}`),
      START_LIMIT_MS,
    );
    const fail = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      reject(new Error(message, { cause }));
    };
    kcat.on("error", (error: NodeJS.ErrnoException) =>
      fail(
        error.code === "ENOENT"
          ? "the Kafka tests need kcat for librdkafka's mock cluster: run `sudo apt-get install kcat` (or scripts/install-kafka-client.sh)"
          : `kcat could not start: ${error.message}`,
        error,
      ),
    );
    kcat.on("exit", (code) => fail(`kcat exited (${code}) before printing the cluster address`));
    kcat.stderr?.setEncoding("utf8");
    kcat.stderr?.on("data", (chunk: string) => {
      output = (output + chunk).slice(-4096);
      const found = BOOTSTRAP_LINE.exec(output);
      if (!found?.[1]) return;
      clearTimeout(timer);
      kcat.removeAllListeners("exit");
      kcat.stderr?.removeAllListeners("data");
      resolve(found[1]);
    });
  });
}

async function stop(kcat: ChildProcess): Promise<void> {
  if (kcat.exitCode !== null || kcat.signalCode !== null) return;
  const exited = new Promise((resolve) => kcat.once("exit", resolve));
  kcat.kill("SIGTERM");
  await exited;
}
