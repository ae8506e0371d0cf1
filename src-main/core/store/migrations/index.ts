import * as m001 from './001_init';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

/** Forward migrations, in order. A new one is a new file here plus a line below; never edit a landed one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: '001_init', up: m001.up },
];
