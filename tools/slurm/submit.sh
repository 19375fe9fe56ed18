#!/usr/bin/env bash
# Submits a sharded reproduction to Slurm: a job array whose task I of N runs
# `reproduce --shard I/N` into SHARED (tools/slurm/reproduce.sbatch), and a
# report job that runs once the whole array has ended, however it ended
# (afterany; tools/slurm/report.sbatch). Prints both job ids.
#
#   tools/slurm/submit.sh --suite dense --scale 9.7m --shards 8 --results /shared/results [options] [-- reproduce options]
#
# Options: --cpus N per task (default 4: jobs and GEMM threads of the task),
# --reports DIR (default: reports next to SHARED), --logs DIR (default:
# slurm-logs next to SHARED), --tasks LIST to submit only these array indices
# (e.g. 2,5 to resubmit cancelled tasks; they resume from their checkpoints),
# --no-report-job. Partition, account, time limit and the like come from
# Slurm's own SBATCH_* environment variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, ...).
set -euo pipefail

fail() {
  echo "submit.sh: $1" >&2
  exit 2
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
suite="" scale="" shards="" results="" reports="" logs="" cpus=4 tasks="" report_job=1
while [ $# -gt 0 ]; do
  case $1 in
    --suite | --scale | --shards | --results | --reports | --logs | --cpus | --tasks)
      [ $# -ge 2 ] || fail "$1 needs a value"
      declare "${1#--}=$2"
      shift 2
      ;;
    --no-report-job) report_job=0 && shift ;;
    --) shift && break ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) fail "unknown option '$1' (reproduce options go after --)" ;;
  esac
done
[ -n "$suite" ] || fail "--suite is required (a suite name or file)"
[ -n "$scale" ] && [ "$scale" != auto ] || fail "--scale is required and must name a rung: every task must plan the same runs"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || fail "--shards must be a positive integer, got '$shards'"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || fail "--cpus must be a positive integer, got '$cpus'"
[ -n "$results" ] || fail "--results is required: a folder every node of the array can read and write"
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"

# The tasks run in the repository root, so every path they get is absolute.
mkdir -p "$results"
results=$(cd "$results" && pwd)
reports=${reports:-$(dirname "$results")/reports}
logs=${logs:-$(dirname "$results")/slurm-logs}
mkdir -p "$reports" "$logs"
reports=$(cd "$reports" && pwd)
logs=$(cd "$logs" && pwd)
# A suite file is read by every task from its own working directory.
[ -f "$suite" ] && suite=$(cd "$(dirname "$suite")" && pwd)/$(basename "$suite")
tasks=${tasks:-1-$shards}

array=$(sbatch --parsable --array="$tasks" --cpus-per-task="$cpus" --chdir="$root" \
  --output="$logs/reproduce-%A_%a.out" \
  "$root/tools/slurm/reproduce.sbatch" "$shards" "$results" --suite "$suite" --scale "$scale" "$@")
array=${array%%;*}
echo "array job: $array (tasks $tasks of $shards, results in $results)"
if [ "$report_job" = 1 ]; then
  report=$(sbatch --parsable --dependency="afterany:$array" --chdir="$root" --output="$logs/report-%j.out" \
    "$root/tools/slurm/report.sbatch" "$results" "$reports")
  echo "report job: ${report%%;*} (after the whole array; reports in $reports)"
fi
