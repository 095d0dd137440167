// The machine a benchmark ran on, saved with every result so numbers from different runs can be compared.
import { arch, cpus, platform, release, totalmem } from 'node:os';

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  platform: string;
  arch: string;
  totalMemoryGiB: number;
  node: string;
  v8: string;
  date: string;
}

export function describeMachine(): MachineDescription {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    platform: `${platform()} ${release()}`,
    arch: arch(),
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
  };
}
