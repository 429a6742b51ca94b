#!/usr/bin/env python3
"""N-way one-shot accuracy through pairmatch's own workflow: for each episode, `enroll` one image of each of N
classes into a fresh gallery with the trained encoder, then `identify` one other image of each class and count
the queries whose decision is their class. Classes are leaf folders under DATA whose top-level group is in
--groups (the alphabets held out from training). Episodes are drawn with a fixed seed.

usage: oneshot_eval.py PAIRMATCH ENCODER DATA --groups A,B [--way 20] [--episodes 200] [--seed 1]
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile


def classes_under(data, groups):
    out = []
    for group in sorted(groups):
        root = os.path.join(data, group)
        if not os.path.isdir(root):
            sys.exit(f"oneshot_eval: {root}: no such group folder")
        for dirpath, dirnames, filenames in os.walk(root):
            images = sorted(f for f in filenames if f.lower().endswith((".png", ".jpg", ".jpeg", ".pgm", ".ppm")))
            if images and not dirnames:
                out.append((os.path.relpath(dirpath, data), [os.path.join(dirpath, f) for f in images]))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairmatch"); ap.add_argument("encoder"); ap.add_argument("data")
    ap.add_argument("--groups", required=True); ap.add_argument("--way", type=int, default=20)
    ap.add_argument("--episodes", type=int, default=200); ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    classes = classes_under(a.data, a.groups.split(","))
    if len(classes) < a.way:
        sys.exit(f"oneshot_eval: {len(classes)} classes in {a.groups}, fewer than --way {a.way}")
    rng = random.Random(a.seed)
    correct = total = 0
    work = tempfile.mkdtemp(prefix="oneshot-")
    try:
        for e in range(a.episodes):
            chosen = rng.sample(range(len(classes)), a.way)
            folders = os.path.join(work, f"ep{e}")
            queries = []
            for k, c in enumerate(chosen):
                name, files = classes[c]
                support, query = rng.sample(files, 2)
                os.makedirs(os.path.join(folders, f"c{k:02d}"))
                os.symlink(os.path.abspath(support), os.path.join(folders, f"c{k:02d}", os.path.basename(support)))
                queries.append((f"c{k:02d}", query))
            gallery = os.path.join(work, f"ep{e}.h5")
            r = subprocess.run([a.pairmatch, "enroll", "--encoder", a.encoder, "--gallery", gallery, "--from-folders", folders],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"oneshot_eval: enroll failed: {r.stderr.strip()}")
            r = subprocess.run([a.pairmatch, "identify", "--encoder", a.encoder, "--gallery", gallery, "--json", "--top", "1"]
                               + [q for _, q in queries], capture_output=True, text=True)
            if r.returncode not in (0, 1):
                sys.exit(f"oneshot_eval: identify failed: {r.stderr.strip()}")
            results = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
            for (label, _), res in zip(queries, results):
                faces = res.get("faces") or []
                best = faces[0]["matches"][0]["name"] if faces and faces[0].get("matches") else None
                correct += best == label
                total += 1
            shutil.rmtree(folders); os.remove(gallery)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    acc = correct / total
    half = 1.96 * (acc * (1 - acc) / total) ** 0.5
    print(f"{a.way}-way one-shot accuracy over {a.episodes} episodes ({total} queries) on {len(classes)} unseen classes "
          f"({a.groups}): {100 * acc:.1f}% ± {100 * half:.1f} (95% interval)")


if __name__ == "__main__":
    main()
