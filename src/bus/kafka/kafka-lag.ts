/**
 * A group's lag per partition: the messages between its committed offset (or
 * the log start, when it never committed) and the high watermark, less those
 * acked out of order above the commit (named in the commit's metadata).
 * Partitions and watermarks come from librdkafka's metadata and watermark
 * queries, committed offsets from the admin API's OffsetFetch.
 */
import type { TopicLag } from "../bus.js";
import type { KafkaAdmin, RdKafkaProducer } from "./kafka-client.js";
import { decodeAcked } from "./partition-progress.js";

export async function readLag(
  metadataClient: RdKafkaProducer,
  admin: KafkaAdmin,
  topic: string,
  group: string,
  timeoutMs: number,
): Promise<TopicLag[]> {
  const partitions = await topicPartitions(metadataClient, topic, timeoutMs);
  if (partitions.length === 0) return [];
  const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [{ topic, partitions }] });
  const committed = new Map(
    (fetched?.partitions ?? []).map((entry) => [entry.partition, entry] as const),
  );
  return Promise.all(
    partitions.map(async (partition): Promise<TopicLag> => {
      const { highOffset, lowOffset } = await watermarks(
        metadataClient,
        topic,
        partition,
        timeoutMs,
      );
      const entry = committed.get(partition);
      const offset = entry === undefined ? -1 : Number(entry.offset);
      const from = Math.max(offset, lowOffset);
      const ackedAbove = decodeAcked(offset, offset < 0 ? undefined : entry?.metadata).filter(
        (acked) => acked >= from && acked < highOffset,
      ).length;
      return {
        topic,
        group,
        partition: String(partition),
        pending: Math.max(0, highOffset - from - ackedAbove),
      };
    }),
  );
}

function topicPartitions(
  client: RdKafkaProducer,
  topic: string,
  timeout: number,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.getMetadata({ topic, timeout }, (error, metadata) => {
      if (error) reject(error);
      else {
        const found = metadata.topics.find((entry) => entry.name === topic);
        resolve((found?.partitions ?? []).map((entry) => entry.id).sort((a, b) => a - b));
      }
    });
  });
}

function watermarks(client: RdKafkaProducer, topic: string, partition: number, timeout: number) {
  return new Promise<{ highOffset: number; lowOffset: number }>((resolve, reject) => {
    client.queryWatermarkOffsets(topic, partition, timeout, (error, offsets) => {
      if (error) reject(error);
      else resolve(offsets);
    });
  });
}
