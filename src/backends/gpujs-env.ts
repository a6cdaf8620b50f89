/**
 * What the gpu.js backends need from this machine: gpu.js itself (loaded on first use), and for
 * headlessgl the native `gl` package and an X display. unavailableReason says what is missing and the
 * fix; glStrings names the GL renderer.
 */
import { createRequire } from 'node:module';
import type { GpujsMode } from './gpujs-modes.js';
import { acquireDisplay, findXvfb, pinDisplay, releaseDisplay } from './xvfb.js';

const require = createRequire(import.meta.url);
export type GpuModule = typeof import('gpu.js');
let gpuModule: Promise<GpuModule> | undefined;
/** gpu.js, loaded on first use: it loads the native `gl` when that is installed. */
export const loadGpu = () =>
  (gpuModule ??= import('gpu.js').then((m) => ((m as { default?: GpuModule }).default ?? m) as GpuModule));

/** The apt packages `gl` builds against, which npm needs before it can build `gl` from source. */
const GL_BUILD_PACKAGES = ['libxi-dev', 'libxext-dev', 'libx11-dev', 'pkg-config'];

function missingDebPackages(names: string[]): string[] {
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    return names.filter((n) => {
      try {
        return !execFileSync('dpkg-query', ['-W', '-f=${Status}', n], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .includes('install ok installed');
      } catch {
        return true;
      }
    });
  } catch {
    return [];
  }
}

const reasons = new Map<GpujsMode, Promise<string | undefined>>();

/** Why a mode cannot run here (with the fix), or undefined when it can. Computed once per process. */
export function unavailableReason(mode: GpujsMode): Promise<string | undefined> {
  let r = reasons.get(mode);
  if (r === undefined) reasons.set(mode, (r = findReason(mode)));
  return r;
}

async function findReason(mode: GpujsMode): Promise<string | undefined> {
  try {
    require.resolve('gpu.js');
  } catch {
    return 'gpu.js is not installed (npm install gpu.js)';
  }
  const lib = await loadGpu();
  if (mode === 'cpu') return undefined;
  if (mode === 'webasm')
    return (lib.GPU as unknown as { isWebAssemblySupported?: boolean }).isWebAssemblySupported === false
      ? "gpu.js reports that this Node's WebAssembly lacks what its webasm backend needs"
      : undefined;
  try {
    require('gl');
  } catch (e) {
    const missing = missingDebPackages(GL_BUILD_PACKAGES);
    const code = (e as { code?: string }).code;
    return code === 'MODULE_NOT_FOUND'
      ? 'the native package `gl` is not installed: npm skips this optional dependency without a word when it cannot build it' +
          (missing.length > 0 ? ` (missing: ${missing.join(', ')})` : '') +
          `. Fix: apt-get install -y ${GL_BUILD_PACKAGES.join(' ')} xvfb, then npm rebuild gl`
      : `the native package \`gl\` failed to load: ${(e as Error).message}. Fix: apt-get install -y ${GL_BUILD_PACKAGES.join(' ')}, then npm rebuild gl`;
  }
  if (!process.env.DISPLAY && findXvfb() === undefined)
    return 'no X display for headless-gl: DISPLAY is unset and Xvfb is not installed. Fix: apt-get install -y xvfb (the backend then starts its own)';
  try {
    await acquireDisplay();
  } catch (e) {
    return (e as Error).message;
  }
  try {
    const Kernel = lib.HeadlessGLKernel as unknown as { isSupported: boolean; testContext: unknown };
    const supported = Kernel.isSupported;
    if (Kernel.testContext !== null) pinDisplay();
    if (!supported) return `headless-gl could not create a WebGL context on DISPLAY=${process.env.DISPLAY}`;
    return undefined;
  } finally {
    releaseDisplay();
  }
}

/**
 * The OpenGL vendor and renderer under headless-gl. headless-gl reports only 'stack-gl' / 'ANGLE' and has
 * no WEBGL_debug_renderer_info, so the strings come from `glxinfo -B` (Debian's mesa-utils) on the same
 * display and Mesa, or else from the Mesa driver this process has loaded (/proc/self/maps).
 */
export function glStrings(): { vendor: string; renderer: string } {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const via = `headless-gl ${packageVersion('gl')} (ANGLE)`;
  try {
    const out = execFileSync('glxinfo', ['-B'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString();
    const field = (name: string) => new RegExp(`^OpenGL ${name} string: (.*)$`, 'm').exec(out)?.[1]?.trim();
    const renderer = field('renderer');
    if (renderer !== undefined) return { vendor: field('vendor') ?? 'unknown', renderer: `${renderer} via ${via}` };
  } catch {
    // no glxinfo: fall back to the loaded driver
  }
  try {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const dri = /\/([\w.-]+)_dri\.so/.exec(maps)?.[1];
    if (dri !== undefined) {
      const llvm = /libLLVM/.test(maps) && dri === 'swrast' ? 'llvmpipe, software' : dri;
      return {
        vendor: 'Mesa',
        renderer: `Mesa ${dri}_dri.so (${llvm}) via ${via}; install mesa-utils for the exact string`,
      };
    }
  } catch {
    // not Linux
  }
  return { vendor: 'unknown', renderer: `unknown via ${via} (install mesa-utils for glxinfo)` };
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}
