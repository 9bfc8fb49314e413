using System;
using System.Globalization;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The monthly quota rules of a sync, when the account has a quota (Connect-RunCloud -MonthlyQuota, a manifest
    /// connection's "monthlyQuota"), from the account's calls this month as the usage ledger counts them (every process's):
    /// <list type="bullet">
    /// <item>before the first call: when the month's calls and this sync's reads would pass the hard share
    /// (-QuotaStopPercent, 90% by default), the sync stops before sending anything (ErrorId RunCloudQuotaReached);</item>
    /// <item>after preparing: the same with the calls applying would send: the sync is refused before any change;</item>
    /// <item>when the month-end projection with this sync passes the quota itself: a warning, and the sync goes on.</item>
    /// </list>
    /// The share is of calls actually counted, not of the projection: a busy first day never stops a sync. Without a
    /// quota nothing is checked; a ledger that cannot be read is a warning (the rules are not applied that run).
    /// </summary>
    internal static class QuotaGuard
    {
        /// <summary>Throws <see cref="RunCloudApiException"/> (RunCloudQuotaReached) when reading alone would pass the hard share.</summary>
        public static void BeforeReading(PreparedApply p, IApplyHost host, int reads)
        {
            ApiUsageMeter? meter = p.Target.Service.Usage;
            if (meter?.MonthlyQuota == null) return;
            ApiUsageProjection? month = Month(meter, host);
            if (month == null) return;
            long stop = StopAt(meter);
            if (month.Used + reads <= stop) return;
            throw new RunCloudApiException(ErrorIds.QuotaReached, ErrorCategory.LimitsExceeded,
                $"{p.Target.Label}: the account's API calls this month ({Describe(month, meter)}) and this sync's {reads} read(s) would pass {Percent(meter)} of its monthly quota "
                + $"({stop.ToString("N0", CultureInfo.InvariantCulture)} calls). Nothing was sent.",
                Hint(meter), serverId: p.Target.ServerId, webAppId: p.Target.WebAppId);
        }

        /// <summary>After preparing: a refusal when the run's changes would pass the hard share; a warning when the projection passes the quota.</summary>
        public static void BeforeApplying(PreparedApply p, IApplyHost host)
        {
            ApiUsageMeter? meter = p.Target.Service.Usage;
            if (meter?.MonthlyQuota == null || p.Refusal != null) return;
            int apply = p.ApplyCalls;
            ApiUsageProjection? month = Month(meter, host);
            if (month == null) return;
            long stop = StopAt(meter);
            if (apply > 0 && month.Used + apply > stop)
            {
                p.Refusal = new AppRefusal(AppRefusal.GuardKind, "Quota", ErrorIds.QuotaReached,
                    $"{p.Target.Label}: the account's API calls this month ({Describe(month, meter)}) and the {apply} call(s) this change needs would pass {Percent(meter)} of its monthly quota "
                    + $"({stop.ToString("N0", CultureInfo.InvariantCulture)} calls). Nothing was changed.", Hint(meter));
                return;
            }

            long projected = month.ProjectedWith(apply);
            if (projected > meter.MonthlyQuota.Value)
            {
                host.Warning($"{p.Target.Label}: at this month's pace the account's API calls reach {projected.ToString("N0", CultureInfo.InvariantCulture)} by the month's end, "
                    + $"more than its quota of {meter.MonthlyQuota.Value.ToString("N0", CultureInfo.InvariantCulture)} ({Describe(month, meter)} so far). Get-RunCloudApiUsage shows where they go; "
                    + $"syncs stop at {Percent(meter)}.");
            }
        }

        private static ApiUsageProjection? Month(ApiUsageMeter meter, IApplyHost host)
        {
            DateTime now = meter.Clock.UtcNow;
            try
            {
                return ApiUsageProjection.For(meter.Month(now), now);
            }
            catch (StateException ex)
            {
                host.Warning($"The account's API usage cannot be read ({ex.Message}); the monthly quota rules are not applied in this run.");
                return null;
            }
        }

        private static long StopAt(ApiUsageMeter meter) => (long)Math.Floor(meter.MonthlyQuota!.Value * meter.StopShare);

        private static string Percent(ApiUsageMeter meter) => (meter.StopShare * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

        private static string Describe(ApiUsageProjection month, ApiUsageMeter meter) =>
            $"{month.Used.ToString("N0", CultureInfo.InvariantCulture)} of {meter.MonthlyQuota!.Value.ToString("N0", CultureInfo.InvariantCulture)}";

        private static string Hint(ApiUsageMeter meter) =>
            "Get-RunCloudApiUsage shows where the calls went. Raise the quota (RunCloud sells more calls in blocks: runcloud.io/docs/increase-api-usage-limit) and pass it "
            + "with -MonthlyQuota (a manifest's \"monthlyQuota\"), or a higher -QuotaStopPercent; the count starts again on the 1st (UTC).";
    }
}
