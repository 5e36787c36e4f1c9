/**
 * The top-level `bus:` section: the connection to the message bus, NATS
 * JetStream or Kafka, that bus sinks (and the event tier) publish through.
 */
import { z } from "zod";
import { durationSchema } from "./duration-schema.js";

/** The topic names both brokers accept: NATS subject tokens (no wildcards) are a subset of Kafka's charset. */
export const topicNameSchema = z
  .string()
  .max(200, "at most 200 characters")
  .regex(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
    "letters, digits, _ and - in dot-separated parts, like enriched.contacts",
  );

/** A consumer group's name, as both brokers accept it. */
const groupNameSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -");

const natsSchema = z
  .object({
    /** One URL or several (a cluster). @defaultValue "nats://127.0.0.1:4222" */
    servers: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .default("nats://127.0.0.1:4222"),
    /** With `password`, for a server that checks users. */
    user: z.string().min(1).optional(),
    /** The user's password; from the environment only. */
    password: z.string().min(1).optional(),
    /** For a server that checks a token; from the environment only. */
    token: z.string().min(1).optional(),
    /**
     * A message a member holds this long without an ack goes to another member: how
     * long the work of a member that died waits (one still working keeps its messages). @defaultValue 30s
     */
    ackWait: durationSchema.default(30_000),
  })
  .strict()
  .refine((nats) => (nats.user === undefined) === (nats.password === undefined), {
    message: "user and password go together: set both, or neither",
    path: ["password"],
  })
  .refine((nats) => nats.token === undefined || nats.user === undefined, {
    message: "a server checks either a token or a user and password: keep one of them",
    path: ["token"],
  });

const kafkaSchema = z
  .object({
    /** Bootstrap brokers, `host:port`. */
    brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "host:port")).min(1),
    /** How the brokers see claypipe in their logs and quotas. @defaultValue "claypipe" */
    clientId: z.string().min(1).max(200).default("claypipe"),
    /** Connect over TLS. @defaultValue false */
    tls: z.boolean().default(false),
    /** SASL authentication, for a cluster that requires it. */
    sasl: z
      .object({
        mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
        username: z.string().min(1),
        /** From the environment only. */
        password: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The event tier's topics; each name is configurable, the defaults are the seed design's. */
const topicsSchema = z
  .object({
    /** Leads to enrich: claypipe's own lead references, and leads other systems publish. @defaultValue "leads.incoming" */
    incoming: topicNameSchema.default("leads.incoming"),
    /** What a lead cannot get past (a message that does not parse, a send that died). @defaultValue "dlq.clay" */
    deadLetters: topicNameSchema.default("dlq.clay"),
    /** Enriched rows Clay called back with: the receiver publishes, the router and other services read. @defaultValue "enriched.contacts" */
    enriched: topicNameSchema.default("enriched.contacts"),
    /** Every lifecycle transition of every lead, for downstream services and audits. @defaultValue "claypipe.lead-events" */
    leadEvents: topicNameSchema.default("claypipe.lead-events"),
  })
  .strict();

export const busSchema = z
  .object({
    nats: natsSchema.optional(),
    kafka: kafkaSchema.optional(),
    /** The event tier's topics. */
    topics: topicsSchema.default(topicsSchema.parse({})),
    /** The event tier's consumer group of enrichers: every enricher of one pipeline shares it. @defaultValue "claypipe-enricher" */
    enricherGroup: groupNameSchema.default("claypipe-enricher"),
    /** The event tier's consumer group of routers on the enriched topic. @defaultValue "claypipe-router" */
    routerGroup: groupNameSchema.default("claypipe-router"),
  })
  .strict()
  .refine((bus) => (bus.nats === undefined) !== (bus.kafka === undefined), {
    message: "set exactly one of bus.nats (servers) or bus.kafka (brokers)",
  });

export type BusConfig = z.output<typeof busSchema>;
export type NatsBusConfig = NonNullable<BusConfig["nats"]>;
export type KafkaBusConfig = NonNullable<BusConfig["kafka"]>;
/** What it takes to connect: the broker, without the event tier's topics; settings with defaults may be left out. */
export interface BusConnection {
  nats?: Omit<NatsBusConfig, "ackWait"> & Partial<Pick<NatsBusConfig, "ackWait">>;
  kafka?: KafkaBusConfig;
}
