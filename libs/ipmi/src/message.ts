import { ByteReader } from './bytes';
import { DecodeError } from './errors';

/** Addresses of a LAN request: the BMC's responder address and the software ID of a console. */
const BMC_ADDRESS = 0x20;
const CONSOLE_SWID = 0x81;

export interface IpmiRequest {
  netFn: number;
  cmd: number;
  /** 6-bit request sequence, echoed in the response: a retransmission keeps it. */
  rqSeq: number;
  data: Buffer;
}

export interface IpmiResponse {
  netFn: number;
  cmd: number;
  rqSeq: number;
  completionCode: number;
  data: Buffer;
}

function checksum(buf: Buffer, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + buf[i]) & 0xff;
  return (0x100 - sum) & 0xff;
}

/**
 * An IPMI LAN message (IPMI v2.0 13.8): rsAddr, netFn/LUN, checksum, rqAddr, rqSeq/LUN, cmd,
 * data, checksum.
 */
export function encodeRequest(req: IpmiRequest): Buffer {
  const msg = Buffer.alloc(7 + req.data.length);
  msg[0] = BMC_ADDRESS;
  msg[1] = (req.netFn & 0x3f) << 2;
  msg[2] = checksum(msg, 0, 2);
  msg[3] = CONSOLE_SWID;
  msg[4] = (req.rqSeq & 0x3f) << 2;
  msg[5] = req.cmd & 0xff;
  req.data.copy(msg, 6);
  msg[msg.length - 1] = checksum(msg, 3, msg.length - 1);
  return msg;
}

/** A response message, with both checksums verified. */
export function decodeResponse(msg: Buffer): IpmiResponse {
  if (msg.length < 8)
    throw new DecodeError(`IPMI response: ${msg.length} bytes, at least 8 needed`);
  if (checksum(msg, 0, 2) !== msg[2]) throw new DecodeError('IPMI response: header checksum');
  if (checksum(msg, 3, msg.length - 1) !== msg[msg.length - 1]) {
    throw new DecodeError('IPMI response: data checksum');
  }
  const r = new ByteReader(msg, 0, msg.length - 1);
  r.u8('rqAddr');
  const netFnLun = r.u8('netFn');
  r.u8('checksum');
  r.u8('rsAddr');
  const seqLun = r.u8('rqSeq');
  const cmd = r.u8('cmd');
  const completionCode = r.u8('completion code');
  const netFn = netFnLun >> 2;
  if ((netFn & 1) !== 1)
    throw new DecodeError(`IPMI response: netFn 0x${netFn.toString(16)} is a request`);
  return { netFn, cmd, rqSeq: seqLun >> 2, completionCode, data: Buffer.from(r.rest()) };
}
