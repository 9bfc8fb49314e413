namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// What a registered schedule is expected to cost one web app in API calls a month (Register-RunCloudSyncTask):
    /// from the app's usage history when the ledger has complete days of it, else from its size (the domains the last
    /// clean sync recorded) and the schedule.
    /// </summary>
    public sealed class RunCloudCallProjection
    {
        /// <summary>"web app 2001 (server 1001) at manage.runcloud.io".</summary>
        public string Target { get; set; } = string.Empty;

        public long ServerId { get; set; }

        public long WebAppId { get; set; }

        /// <summary>History (the ledger's last complete days), Size (the app's domains and the schedule), or Unknown (never synced: its size is not known yet).</summary>
        public string Basis { get; set; } = "Unknown";

        /// <summary>The app's domains as the last clean sync recorded them; null when unknown.</summary>
        public int? Domains { get; set; }

        /// <summary>Calls a day (history), or a day's full checks (size).</summary>
        public double? PerDay { get; set; }

        /// <summary>Calls in a 30-day month; null when unknown.</summary>
        public long? PerMonth { get; set; }

        /// <summary>How the figure was reached, in words.</summary>
        public string Detail { get; set; } = string.Empty;

        public override string ToString() => $"{Target}: {(PerMonth.HasValue ? PerMonth.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "unknown")} calls a month ({Detail})";
    }
}
