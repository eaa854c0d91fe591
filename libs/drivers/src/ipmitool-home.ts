import { join } from 'node:path';

/**
 * The HOME ipmitool gets unless told otherwise. ipmitool 1.8.19 parses the IANA
 * enterprise-number table (4.7 MB of text) at every start, looking in
 * $HOME/.local/usr/share/misc/ before /usr/share/misc/, only to name vendors in output such as
 * `mc info` that no driver call reads. This directory holds a one-entry table instead: a
 * `chassis power status` then costs about a quarter of the CPU (measured by `npm run bench`),
 * which under fanout is most of the controller host's load. Another HOME (IPMITOOL_HOME,
 * e.g. a real home directory) gives ipmitool its full table back.
 */
export const MINIMAL_IPMITOOL_HOME = join(__dirname, '..', 'assets', 'ipmitool-home');
