import {
  Consumer,
  JetStreamManager,
  MsgRequest,
  NextMsgRequest,
  jetstream,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { OUTPUT_SUBJECT_PREFIX, STREAM_OUTPUT, outputSubject } from '@switchboard/condition-types';
import pMap from 'p-map';

/**
 * A consumer the API forgot (its process died mid-stream) is removed by the server after this
 * long without pull requests; a stream that ends or whose client leaves deletes its own at once.
 */
export const OUTPUT_CONSUMER_INACTIVE_MS = 2 * 60_000;

/** Look-ups in flight when finding where a batch's output starts. */
const LOOKUPS = 32;

/** The last output message of a condition, 0 when it has none (or none left in the stream). */
export async function lastOutputSeq(jsm: JetStreamManager, id: string): Promise<number> {
  return (
    (await jsm.streams.getMessage(STREAM_OUTPUT, { last_by_subj: outputSubject(id) }))?.seq ?? 0
  );
}

async function firstOutputSeq(jsm: JetStreamManager, id: string): Promise<number | undefined> {
  // STREAM.MSG.GET has taken next_by_subj since nats-server 2.9; the client's type lists only seq
  // and last_by_subj.
  const query: NextMsgRequest = { next_by_subj: outputSubject(id), seq: 1 };
  return (await jsm.streams.getMessage(STREAM_OUTPUT, query as unknown as MsgRequest))?.seq;
}

/**
 * Where reading must start so that every line of these conditions is read: the first output
 * message of any of them, or, for those that printed nothing yet, just after the stream's
 * current end (all their lines will come later).
 */
async function startSeq(jsm: JetStreamManager, ids: readonly string[]): Promise<number> {
  const end = (await jsm.streams.info(STREAM_OUTPUT)).state.last_seq + 1;
  const firsts = await pMap(ids, (id) => firstOutputSeq(jsm, id), { concurrency: LOOKUPS });
  return Math.min(end, ...firsts.filter((seq): seq is number => seq !== undefined));
}

export interface OutputConsumer {
  consumer: Consumer;
  /** The first stream sequence the consumer delivers. */
  startSeq: number;
}

/**
 * An ordered consumer of the output of `ids` (lines in the order they were published, and
 * read again from where it was after a reconnect). One condition: filtered to its subject.
 * Several: nats-server 2.9 has one filter subject per consumer, so it reads all output from
 * the first line of any of them and the follower keeps theirs; for a batch being followed
 * as it runs that is mostly its own output.
 */
export async function openOutputConsumer(
  nc: NatsConnection,
  jsm: JetStreamManager,
  ids: readonly string[],
): Promise<OutputConsumer> {
  const start = await startSeq(jsm, ids);
  const consumer = await jetstream(nc).consumers.get(STREAM_OUTPUT, {
    filter_subjects: ids.length === 1 ? outputSubject(ids[0]) : `${OUTPUT_SUBJECT_PREFIX}.>`,
    opt_start_seq: start,
    inactive_threshold: OUTPUT_CONSUMER_INACTIVE_MS,
  });
  return { consumer, startSeq: start };
}
