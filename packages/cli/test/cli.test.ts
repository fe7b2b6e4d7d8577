import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FER2013, HAVE_FER2013, MODELS, PHOTOS, REPO } from '../../core/test/fixtures.js';

const CLI = join(REPO, 'packages', 'cli', 'dist', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'emoface-cli-'));

function emoface(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function probe(path: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,width,height,r_frame_rate,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
  return JSON.parse(out).streams as Record<string, string | number>[];
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('emoface analyze', () => {
  it('reports every face of a group photo with box, score, keypoints, expression, scores and emoji', () => {
    const { code, stdout } = emoface(['analyze', PHOTOS.group4.path, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ file: PHOTOS.group4.path, width: 1920, height: 1537 });
    expect(result.faces).toHaveLength(PHOTOS.group4.faces);
    const labels = JSON.parse(readFileSync(MODELS.metadata, 'utf8')).labels;
    for (const face of result.faces) {
      expect(Object.keys(face)).toEqual(['box', 'score', 'keypoints', 'expression', 'scores', 'emoji']);
      expect(Object.keys(face.scores)).toEqual(labels);
      expect(labels).toContain(face.expression);
      expect(face.box.width).toBeGreaterThan(100);
      expect(Object.keys(face.keypoints)).toEqual(['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar']);
    }
  });
  it('honours EXIF orientation', async () => {
    // The same photo stored sideways with an EXIF "rotate 90° clockwise" tag reads back upright.
    const rotated = join(work, 'sideways.jpg');
    await sharp(PHOTOS.graceHopper.path).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toFile(rotated);
    const upright = JSON.parse(emoface(['analyze', PHOTOS.graceHopper.path, '--json']).stdout);
    const fromExif = JSON.parse(emoface(['analyze', rotated, '--json']).stdout);
    expect([fromExif.width, fromExif.height]).toEqual([upright.width, upright.height]);
    expect(fromExif.faces).toHaveLength(1);
    expect(Math.abs(fromExif.faces[0].box.x - upright.faces[0].box.x)).toBeLessThan(15);
  });
});

describe('emoface overlay on images', () => {
  it('draws an emoji over every face and leaves the rest of the picture alone', async () => {
    const out = join(work, 'group.png');
    const before = readFileSync(PHOTOS.group3.path);
    const { code } = emoface(['overlay', PHOTOS.group3.path, '-o', out]);
    expect(code).toBe(0);
    expect(readFileSync(PHOTOS.group3.path).equals(before)).toBe(true);
    const original = await sharp(PHOTOS.group3.path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const drawn = await sharp(out).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([drawn.info.width, drawn.info.height]).toEqual([original.info.width, original.info.height]);
    const faces = JSON.parse(emoface(['analyze', PHOTOS.group3.path, '--json']).stdout).faces;
    const changedAt = (x: number, y: number) => {
      const i = (Math.round(y) * drawn.info.width + Math.round(x)) * 4;
      return Math.abs(drawn.data[i]! - original.data[i]!) + Math.abs(drawn.data[i + 1]! - original.data[i + 1]!) + Math.abs(drawn.data[i + 2]! - original.data[i + 2]!);
    };
    for (const f of faces) expect(changedAt(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2)).toBeGreaterThan(30);
    expect(changedAt(5, 5)).toBe(0);
    expect(readdirSync(work).filter((n) => n.includes('.tmp'))).toEqual([]);
  });
});

describe('emoface overlay on video', () => {
  const clip = join(work, 'clip.mp4');
  beforeAll(() => {
    // 2 s at 15 fps from two real photos, the faces drifting a little, with a 440 Hz tone as audio.
    execFileSync('ffmpeg', ['-v', 'error', '-y',
      '-loop', '1', '-t', '1', '-i', PHOTOS.graceHopper.path, '-loop', '1', '-t', '1', '-i', PHOTOS.astronaut.path,
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
      '-filter_complex', '[0]scale=640:480,setsar=1,fps=15[a];[1]scale=640:480,setsar=1,fps=15[b];[a][b]concat=n=2:v=1:a=0,crop=600:450:20+10*sin(t*3):15,scale=640:480[v]',
      '-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  });

  it('keeps size, frame rate, frame count and audio', () => {
    const out = join(work, 'clip-emoji.mp4');
    const { code, stderr } = emoface(['overlay', clip, '-o', out]);
    expect(stderr).toMatch(/30 frames/);
    expect(code).toBe(0);
    const [source, result] = [probe(clip), probe(out)];
    const video = (streams: typeof source) => streams.find((s) => s.codec_type === 'video')!;
    expect(video(result)).toMatchObject({ width: 640, height: 480, r_frame_rate: video(source).r_frame_rate, nb_read_frames: video(source).nb_read_frames });
    expect(result.some((s) => s.codec_type === 'audio')).toBe(true);
  });

  it('says clearly when ffmpeg is missing', () => {
    const { code, stderr } = emoface(['overlay', clip, '-o', join(work, 'x.mp4')], { ...process.env, PATH: '/nonexistent' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/ffmpeg was not found.*apt-get install ffmpeg/);
  });
});

describe('bad input: exit 1, a message naming the file, nothing written', () => {
  const cases: [string, () => string, RegExp][] = [
    ['missing file', () => join(work, 'nope.jpg'), /nope\.jpg: no such file/],
    ['empty file', () => { const p = join(work, 'empty.jpg'); writeFileSync(p, ''); return p; }, /empty\.jpg: empty file/],
    ['not an image', () => { const p = join(work, 'text.jpg'); writeFileSync(p, 'hello, not a picture'); return p; }, /text\.jpg: not an image/],
    ['truncated image', () => {
      const p = join(work, 'cut.jpg');
      const bytes = readFileSync(PHOTOS.graceHopper.path);
      writeFileSync(p, bytes.subarray(0, bytes.length / 2));
      return p;
    }, /cut\.jpg: truncated or corrupt/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const input = make();
      const out = join(work, `out-${name.replace(/ /g, '-')}.png`);
      for (const args of [['analyze', input], ['overlay', input, '-o', out]]) {
        const { code, stderr } = emoface(args);
        expect(code).toBe(1);
        expect(stderr).toMatch(message);
      }
      expect(existsSync(out)).toBe(false);
    });
  }
  it('unreadable video', () => {
    const p = join(work, 'broken.mp4');
    writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const { code, stderr } = emoface(['overlay', p, '-o', join(work, 'broken-out.mp4')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/broken\.mp4: unreadable video/);
  });
  it('output path equal to the input, even through a link', () => {
    const copy = join(work, 'mine.jpg');
    copyFileSync(PHOTOS.graceHopper.path, copy);
    symlinkSync(copy, join(work, 'link.jpg'));
    const before = statSync(copy).mtimeMs;
    for (const out of [copy, join(work, 'link.jpg')]) {
      const { code, stderr } = emoface(['overlay', copy, '-o', out]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/output is the input/);
    }
    expect(statSync(copy).mtimeMs).toBe(before);
  });
});

describe('bad usage: exit 2', () => {
  it.each([[['frobnicate']], [['analyze']], [['analyze', 'x.jpg', '--colour']], [['overlay', 'a.jpg']], [['eval']], [['analyze', 'x.jpg', '--detector', 'side']],
    [['bench', '--iterations', '0']], [[]]])('%j', (args) => {
    const { code, stderr, stdout } = emoface(args);
    expect(code).toBe(2);
    expect(stderr + stdout).toMatch(/emoface/);
  });
  it('--help on every command', () => {
    for (const command of ['analyze', 'overlay', 'eval', 'bench']) {
      const { code, stdout } = emoface([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`Usage: emoface ${command}`));
    }
  });
});

describe.skipIf(!HAVE_FER2013)('emoface eval', () => {
  it('reports accuracy, per-label recall, the confusion matrix on FER2013 crops, ignoring other folders', () => {
    const dir = join(work, 'crops');
    const labels: string[] = JSON.parse(readFileSync(MODELS.metadata, 'utf8')).labels;
    for (const label of labels) {
      mkdirSync(join(dir, label), { recursive: true });
      for (const name of readdirSync(join(FER2013, 'test', label)).slice(0, 8)) symlinkSync(join(FER2013, 'test', label, name), join(dir, label, name));
    }
    mkdirSync(join(dir, 'contempt'));
    copyFileSync(PHOTOS.graceHopper.path, join(dir, 'contempt', 'x.jpg'));
    const { code, stdout } = emoface(['eval', '--data', dir, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.n).toBe(8 * labels.length);
    expect(report.labels).toEqual(labels);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(report.n);
    const diagonal = labels.reduce((sum, _, i) => sum + report.confusion[i][i], 0);
    expect(report.accuracy).toBeCloseTo(diagonal / report.n, 4);
    expect(Object.keys(report.perLabel)).toEqual(labels);
  });

  it('matches the Python evaluation of the shipped model on all of PublicTest (±0.5 point)', () => {
    const recorded = JSON.parse(readFileSync(MODELS.metadata, 'utf8')).metrics.publicTest.accuracy;
    const { code, stdout } = emoface(['eval', '--data', join(FER2013, 'test'), '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.n).toBe(3589);
    expect(Math.abs(report.accuracy - recorded)).toBeLessThanOrEqual(0.005);
  });

  it('--detect runs the full pipeline on photos and counts a photo without a face as wrong', async () => {
    const dir = join(work, 'photos');
    mkdirSync(join(dir, 'neutral'), { recursive: true });
    mkdirSync(join(dir, 'happy'), { recursive: true });
    copyFileSync(PHOTOS.graceHopper.path, join(dir, 'neutral', 'grace.jpg'));
    copyFileSync(PHOTOS.astronaut.path, join(dir, 'happy', 'astronaut.png'));
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#7f7f7f' } }).png().toFile(join(dir, 'happy', 'wall.png'));
    const { code, stdout } = emoface(['eval', '--data', dir, '--detect', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.n).toBe(3);
    expect(report.noFace).toEqual([join(dir, 'happy', 'wall.png')]);
    expect(report.accuracy).toBeLessThanOrEqual(2 / 3);
  });
});
