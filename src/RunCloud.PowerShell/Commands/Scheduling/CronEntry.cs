using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// A crontab entry: a marker comment naming the task (how Unregister-RunCloudSyncTask finds it), then the line. cron
    /// runs it with /bin/sh and a bare environment, so the line sources the environment file (set -a exports what it sets),
    /// and flock -n keeps a run from starting while the previous one is still going (that run exits 3: retry next run).
    /// Standard output (the log lines, already in the log file) is dropped; standard error reaches cron's mail.
    /// </summary>
    internal static class CronEntry
    {
        public static string Marker(string name) => $"# RunCloud.PowerShell sync task '{name}' (Register-RunCloudSyncTask; remove with Unregister-RunCloudSyncTask -TaskName {name} -Scheduler Cron)";

        /// <summary>The five time fields for an interval: every N minutes when N divides 60, every N hours when N divides 24; else null.</summary>
        public static string? Schedule(TimeSpan interval)
        {
            if (interval.Seconds != 0 || interval.Milliseconds != 0) return null;
            int minutes = (int)interval.TotalMinutes;
            if (minutes >= 1 && minutes < 60 && 60 % minutes == 0) return minutes == 1 ? "* * * * *" : $"*/{minutes} * * * *";
            if (minutes >= 60 && minutes % 60 == 0)
            {
                int hours = minutes / 60;
                if (hours == 24) return "0 0 * * *";
                if (hours < 24 && 24 % hours == 0) return hours == 1 ? "0 * * * *" : $"0 */{hours} * * *";
            }

            return null;
        }

        /// <summary>The command part (after the time fields), as sh -c runs it once cron has turned \% back into %.</summary>
        public static string Command(ScheduledCommandLine command, string lockFile, string? environmentFile)
        {
            var sb = new StringBuilder();
            if (environmentFile != null) sb.Append("set -a && . ").Append(Quoting.Posix(environmentFile)).Append(" && set +a && ");
            sb.Append("flock -n -E 3 ").Append(Quoting.Posix(lockFile)).Append(' ');
            sb.Append(string.Join(" ", command.Argv.Select(Quoting.Posix)));
            sb.Append(" >/dev/null");
            return sb.ToString();
        }

        /// <summary>The marker and the entry, as two crontab lines (% escaped for cron).</summary>
        public static string Lines(string name, string schedule, string commandPart) =>
            Marker(name) + "\n" + schedule + " " + commandPart.Replace("%", "\\%") + "\n";

        /// <summary>A crontab without this task's entries (each marker line and the line after it).</summary>
        public static List<string> Without(IEnumerable<string> crontab, string name, out int removed)
        {
            string marker = Marker(name);
            var kept = new List<string>();
            removed = 0;
            bool skipNext = false;
            foreach (string line in crontab)
            {
                if (skipNext)
                {
                    skipNext = false;
                    continue;
                }

                if (string.Equals(line.TrimEnd(), marker, StringComparison.Ordinal))
                {
                    removed++;
                    skipNext = true;
                    continue;
                }

                kept.Add(line);
            }

            return kept;
        }
    }
}
