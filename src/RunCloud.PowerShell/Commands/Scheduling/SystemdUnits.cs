using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// A systemd service (Type=oneshot: one run at a time, a failed run shows in systemctl status and the journal) and its
    /// timer (every interval after the last run started, and a few minutes after boot). Secrets never appear in the units:
    /// they come from an EnvironmentFile= (mode 0600) or, for a manifest's credential files, LoadCredential=, which systemd
    /// copies to $CREDENTIALS_DIRECTORY, readable only by the service.
    /// </summary>
    internal static class SystemdUnits
    {
        public static string Service(string name, string description, ScheduledCommandLine command, string? user, string? environmentFile,
            IReadOnlyList<KeyValuePair<string, string>> loadCredentials, TimeSpan timeout)
        {
            var sb = new StringBuilder();
            sb.Append("# Written by Register-RunCloudSyncTask (RunCloud.PowerShell); remove with Unregister-RunCloudSyncTask -TaskName ").Append(name).Append(" -Scheduler Systemd.\n");
            sb.Append("[Unit]\n");
            sb.Append("Description=").Append(description).Append('\n');
            sb.Append("Wants=network-online.target\n");
            sb.Append("After=network-online.target\n\n");
            sb.Append("[Service]\n");
            sb.Append("Type=oneshot\n");
            if (user != null) sb.Append("User=").Append(user).Append('\n');
            if (environmentFile != null) sb.Append("EnvironmentFile=").Append(environmentFile).Append('\n');
            foreach (KeyValuePair<string, string> credential in loadCredentials)
            {
                sb.Append("LoadCredential=").Append(credential.Key).Append(':').Append(credential.Value).Append('\n');
            }

            sb.Append("ExecStart=").Append(string.Join(" ", command.Argv.Select(Quoting.Systemd))).Append('\n');
            // Exit codes 1-4 are failures on purpose (systemctl status shows them); a run longer than this is stopped.
            sb.Append("TimeoutStartSec=").Append(((long)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("NoNewPrivileges=yes\n");
            return sb.ToString();
        }

        public static string Timer(string name, string description, TimeSpan interval)
        {
            var sb = new StringBuilder();
            sb.Append("# Written by Register-RunCloudSyncTask (RunCloud.PowerShell); remove with Unregister-RunCloudSyncTask -TaskName ").Append(name).Append(" -Scheduler Systemd.\n");
            sb.Append("[Unit]\n");
            sb.Append("Description=").Append(description).Append(" (timer)\n\n");
            sb.Append("[Timer]\n");
            sb.Append("OnBootSec=2min\n");
            sb.Append("OnUnitActiveSec=").Append(Span(interval)).Append('\n');
            sb.Append("Unit=").Append(name).Append(".service\n\n");
            sb.Append("[Install]\n");
            sb.Append("WantedBy=timers.target\n");
            return sb.ToString();
        }

        /// <summary>A time span as systemd.time(7) writes it: 10min, 2h, 1h 30min.</summary>
        internal static string Span(TimeSpan span)
        {
            var parts = new List<string>();
            if (span.Days > 0) parts.Add(span.Days.ToString(CultureInfo.InvariantCulture) + "d");
            if (span.Hours > 0) parts.Add(span.Hours.ToString(CultureInfo.InvariantCulture) + "h");
            if (span.Minutes > 0) parts.Add(span.Minutes.ToString(CultureInfo.InvariantCulture) + "min");
            if (span.Seconds > 0 || parts.Count == 0) parts.Add(span.Seconds.ToString(CultureInfo.InvariantCulture) + "s");
            return string.Join(" ", parts);
        }
    }
}
