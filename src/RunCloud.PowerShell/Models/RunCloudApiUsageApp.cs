namespace RunCloud.PowerShell.Models
{
    /// <summary>One web app's share of an account's API calls in a month, or on a day (Get-RunCloudApiUsage -PerApp).</summary>
    public sealed class RunCloudApiUsageApp
    {
        public string Account { get; set; } = string.Empty;

        /// <summary>"s1001-w2001", or "account" for calls that name no web app (ping, servers, DNS integrations).</summary>
        public string App { get; set; } = string.Empty;

        /// <summary>Null for the account's own calls.</summary>
        public long? ServerId { get; set; }

        /// <summary>Null for the account's own calls.</summary>
        public long? WebAppId { get; set; }

        /// <summary>Calls (in the month, or on the day).</summary>
        public long Calls { get; set; }

        /// <summary>Calls today (UTC); 0 in a day's breakdown or a past month.</summary>
        public long Today { get; set; }

        /// <summary>The app's calls at the month's end at this month's pace; 0 in a day's breakdown.</summary>
        public long Projected { get; set; }

        public override string ToString() => $"{App}: {Calls}";
    }
}
