using System;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Calls sent for one account on one UTC day, for one web app (<see cref="App"/> "s1001-w2001") or for the account
    /// itself (ping, servers, DNS integrations: <see cref="AccountLevel"/>).
    /// </summary>
    internal sealed class ApiUsageTick
    {
        /// <summary>The app key of calls that name no web app.</summary>
        public const string AccountLevel = "account";

        public ApiUsageTick(DateTime day, string app, long calls)
        {
            Day = DateTime.SpecifyKind(day.Date, DateTimeKind.Utc);
            App = app;
            Calls = calls;
        }

        /// <summary>The UTC day (midnight).</summary>
        public DateTime Day { get; }

        public string App { get; }

        public long Calls { get; }
    }
}
