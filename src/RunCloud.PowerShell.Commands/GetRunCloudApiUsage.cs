using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Shows the RunCloud API calls the module counted (every process, every command) per account and calendar month
    /// (UTC): the month so far, today, the month-end projection and the quota; per day with -PerDay, per web app with
    /// -PerApp. Reads the state folder's usage ledger only: it sends no request.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudApiUsage", DefaultParameterSetName = MonthSet, HelpUri = HelpUris.Base + "Get-RunCloudApiUsage.md")]
    [OutputType(typeof(RunCloudApiUsage), ParameterSetName = new[] { MonthSet })]
    [OutputType(typeof(RunCloudApiUsageDay), ParameterSetName = new[] { DaySet })]
    [OutputType(typeof(RunCloudApiUsageApp), ParameterSetName = new[] { AppSet })]
    public sealed class GetRunCloudApiUsageCommand : RunCloudCmdlet
    {
        private const string MonthSet = "Month";
        private const string DaySet = "PerDay";
        private const string AppSet = "PerApp";

        /// <summary>The account of this connection (default: the default connection's; every account counted when none is open).</summary>
        [Parameter]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
        public RunCloudConnection? Connection { get; set; }

        /// <summary>Every account the ledger counted, whatever connection is open.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        /// <summary>Any day of the month to show (default: this month, UTC), e.g. 2026-11.</summary>
        [Parameter]
        public DateTime? Month { get; set; }

        /// <summary>One object per day of the month that had calls, with each web app's share.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DaySet)]
        public SwitchParameter PerDay { get; set; }

        /// <summary>One object per web app (and one for the account's own calls), with its projection.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AppSet)]
        public SwitchParameter PerApp { get; set; }

        protected override void ProcessRecord()
        {
            if (All && Connection != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-All shows every account; -Connection one of them. Pass one or the other.", Connection));
            }

            // This process's counts not written yet are written first, so what is shown is complete.
            AccountUsageMeters.FlushAll();
            RunCloudConnection? connection = Connection ?? (All ? null : RunCloudSession.Current);
            DateTime now = (connection?.Clock ?? Clock.Real).UtcNow;
            DateTime month = Month.HasValue ? DateTime.SpecifyKind(Month.Value, DateTimeKind.Utc) : now;
            List<UsageMonth> months;
            try
            {
                UsageLedger ledger = UsageLedger.Default();
                if (connection != null)
                {
                    string host = AppStateKey.ApiHostOf(connection.BaseUri);
                    string account = UsageLedger.AccountOf(host, connection.StateIdentity);
                    UsageMonth? found = ledger.Read(host, account, month.Year, month.Month);
                    months = new List<UsageMonth>
                    {
                        found ?? new UsageMonth { ApiHost = host, Account = account, KeyId = connection.KeyId, Month = month.ToString("yyyy-MM", CultureInfo.InvariantCulture) },
                    };
                    if (connection.MonthlyQuota.HasValue) months[0].MonthlyQuota = connection.MonthlyQuota;
                    if (connection.Usage?.LastError != null) WriteWarning($"Some of this session's calls could not be written to the usage ledger yet ({connection.Usage.LastError.Message}); they are counted here and written by the next command.");
                }
                else
                {
                    months = ledger.ReadAll(month.Year, month.Month).ToList();
                    if (months.Count == 0) WriteVerbose($"RunCloud: no API calls counted for {month:yyyy-MM} in {ledger.Folder}.");
                }
            }
            catch (StateException ex)
            {
                ThrowTerminatingError(ErrorRecords.FromState(ex, "the usage ledger"));
                return;
            }

            foreach (UsageMonth m in months)
            {
                RunCloudApiUsage usage = Build(m, now, month);
                switch (ParameterSetName)
                {
                    case DaySet:
                        foreach (RunCloudApiUsageDay day in usage.Days) WriteObject(day);
                        break;
                    case AppSet:
                        foreach (RunCloudApiUsageApp app in usage.Apps) WriteObject(app);
                        break;
                    default:
                        WriteObject(usage);
                        break;
                }
            }
        }

        /// <summary>The month's object: totals, today, projection (a past month's is its total), quota shares, days and apps.</summary>
        internal static RunCloudApiUsage Build(UsageMonth m, DateTime nowUtc, DateTime month)
        {
            string account = m.ApiHost + (string.IsNullOrEmpty(m.KeyId) ? " " + m.Account : " " + m.KeyId);
            List<ApiUsageTick> ticks = m.Counts.Select(c => new ApiUsageTick(c.Day, c.App, c.Calls)).ToList();
            bool current = month.Year == nowUtc.Year && month.Month == nowUtc.Month;
            bool past = new DateTime(month.Year, month.Month, 1) < new DateTime(nowUtc.Year, nowUtc.Month, 1);
            ApiUsageProjection projection = ApiUsageProjection.For(ticks, current ? nowUtc : new DateTime(month.Year, month.Month, DateTime.DaysInMonth(month.Year, month.Month), 23, 59, 59, DateTimeKind.Utc));
            long total = ticks.Sum(t => t.Calls);
            long projected = current ? projection.Projected : past ? total : 0;
            var usage = new RunCloudApiUsage
            {
                Account = account,
                ApiHost = m.ApiHost,
                AccountId = m.Account,
                KeyId = m.KeyId,
                Month = m.Month,
                Calls = total,
                Today = current ? projection.Today : 0,
                PerDay = Math.Round(current || past ? projection.PerDay : 0, 1),
                Projected = projected,
                MonthlyQuota = m.MonthlyQuota,
                UsedPercent = m.MonthlyQuota > 0 ? Math.Round(total * 100.0 / m.MonthlyQuota.Value, 2) : (double?)null,
                ProjectedPercent = m.MonthlyQuota > 0 ? Math.Round(projected * 100.0 / m.MonthlyQuota.Value, 2) : (double?)null,
            };
            usage.Days = ticks.GroupBy(t => t.Day).OrderBy(g => g.Key).Select(g => new RunCloudApiUsageDay
            {
                Account = account,
                Date = g.Key,
                Calls = g.Sum(t => t.Calls),
                Apps = g.GroupBy(t => t.App).OrderByDescending(a => a.Sum(t => t.Calls)).ThenBy(a => a.Key, StringComparer.Ordinal)
                    .Select(a => App(account, a.Key, a.Sum(t => t.Calls), 0, 0)).ToArray(),
            }).ToArray();
            double factor = projection.Used > 0 && current ? (double)projection.Projected / projection.Used : 1.0;
            usage.Apps = ticks.GroupBy(t => t.App).Select(a =>
            {
                long calls = a.Sum(t => t.Calls);
                long today = current ? a.Where(t => t.Day == nowUtc.Date).Sum(t => t.Calls) : 0;
                return App(account, a.Key, calls, today, current ? (long)Math.Ceiling(calls * factor) : past ? calls : 0);
            }).OrderByDescending(a => a.Calls).ThenBy(a => a.App, StringComparer.Ordinal).ToArray();
            return usage;
        }

        private static RunCloudApiUsageApp App(string account, string key, long calls, long today, long projected)
        {
            var app = new RunCloudApiUsageApp { Account = account, App = key, Calls = calls, Today = today, Projected = projected };
            string[] parts = key.Split('-');
            if (parts.Length == 2 && parts[0].StartsWith("s", StringComparison.Ordinal) && parts[1].StartsWith("w", StringComparison.Ordinal)
                && long.TryParse(parts[0].Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out long s)
                && long.TryParse(parts[1].Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out long w))
            {
                app.ServerId = s;
                app.WebAppId = w;
            }

            return app;
        }
    }
}
