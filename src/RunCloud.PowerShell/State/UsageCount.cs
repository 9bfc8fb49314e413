using System;

namespace RunCloud.PowerShell.State
{
    /// <summary>Calls of one account on one UTC day for one web app ("s1001-w2001") or for the account itself ("account").</summary>
    internal sealed class UsageCount
    {
        public UsageCount(DateTime day, string app, long calls)
        {
            Day = DateTime.SpecifyKind(day.Date, DateTimeKind.Utc);
            App = app;
            Calls = calls;
        }

        public DateTime Day { get; }

        public string App { get; }

        public long Calls { get; }
    }
}
