"""bench/ab_cpu.py ROUNDS TREE... (JOBS=n in the environment, default 1): CPU seconds (user+sys, the process tree) of `grade /tmp/class1000 --jobs 1`
per tree, alternating; prints each run and the median per tree."""
import os, resource, statistics, subprocess, sys
rounds, trees = int(sys.argv[1]), sys.argv[2:]
got = {t: [] for t in trees}
for _ in range(rounds):
    for t in trees:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "grader.cli", "/tmp/class1000", "--jobs", os.environ.get("JOBS", "1"), "--salt", "bench",
                        "--gradebook", f"/tmp/ab-{os.path.basename(t)}.csv"], cwd=t, env={**os.environ, "PYTHONPATH": t},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        got[t].append(cpu)
        print(f"{os.path.basename(t)} {cpu:.2f}", flush=True)
for t, v in got.items():
    print(f"median {os.path.basename(t)}: {statistics.median(v):.2f} s CPU ({len(v)} runs)")
