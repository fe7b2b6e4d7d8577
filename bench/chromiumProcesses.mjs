// CPU time and memory of the benches' Chromium, read from /proc, by role: page renderers, extension
// renderers (the offscreen analyser, the service worker's), and every process of that browser.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = process.platform === 'linux' ? Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) : 100;

/**
 * {cpuSeconds, rssMiB}, each {page, extension, all}, over the processes of one Chromium started by
 * demo/browser.mjs, recognised by its own `userDataDir` (another Chromium running meanwhile is not counted).
 * @param {string} userDataDir
 */
export function chromiumProcesses(userDataDir) {
  const cpuSeconds = { page: 0, extension: 0, all: 0 };
  const rssMiB = { page: 0, extension: 0, all: 0 };
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline;
    let stat;
    let status;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Arguments are NUL-separated, except in zygote children (renderers), whose command line is one string.
    if (!cmdline.split(/[\0 ]/).includes(`--user-data-dir=${userDataDir}`)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    const role = cmdline.includes('--type=renderer') ? (cmdline.includes('--extension-process') ? 'extension' : 'page') : null;
    cpuSeconds.all += cpu;
    rssMiB.all += rss;
    if (role) {
      cpuSeconds[role] += cpu;
      rssMiB[role] += rss;
    }
  }
  return { cpuSeconds, rssMiB };
}
