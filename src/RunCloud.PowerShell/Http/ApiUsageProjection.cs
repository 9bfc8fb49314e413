using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Where an account's calls of a calendar month (UTC) are heading, from what was counted so far: the month's calls
    /// per day so far, spread over the days still to come. The rate is the calls so far over the time elapsed, but never
    /// over less than one day, so a busy first hour of the month is not taken for a month of such hours. Pure.
    /// </summary>
    internal sealed class ApiUsageProjection
    {
        private ApiUsageProjection(DateTime nowUtc, long used, long today, double elapsedDays, int daysInMonth)
        {
            NowUtc = nowUtc;
            Used = used;
            Today = today;
            ElapsedDays = elapsedDays;
            DaysInMonth = daysInMonth;
        }

        public DateTime NowUtc { get; }

        /// <summary>Calls counted this month so far.</summary>
        public long Used { get; }

        /// <summary>Calls counted today (UTC).</summary>
        public long Today { get; }

        public double ElapsedDays { get; }

        public int DaysInMonth { get; }

        /// <summary>Calls a day at this month's pace.</summary>
        public double PerDay => Used / Math.Max(ElapsedDays, 1.0);

        /// <summary>The month's calls at its end, at this month's pace.</summary>
        public long Projected => ProjectedWith(0);

        /// <summary>The month's projected calls if <paramref name="extra"/> more are sent now (a run about to start).</summary>
        public long ProjectedWith(long extra) =>
            Used + extra + (long)Math.Ceiling(PerDay * Math.Max(0.0, DaysInMonth - ElapsedDays));

        /// <summary>The projection of the month that holds <paramref name="nowUtc"/>, from its counts (other months' are ignored).</summary>
        public static ApiUsageProjection For(IEnumerable<ApiUsageTick> counts, DateTime nowUtc)
        {
            DateTime start = new DateTime(nowUtc.Year, nowUtc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            int days = DateTime.DaysInMonth(nowUtc.Year, nowUtc.Month);
            List<ApiUsageTick> month = counts.Where(t => t.Day.Year == nowUtc.Year && t.Day.Month == nowUtc.Month).ToList();
            long used = month.Sum(t => t.Calls);
            long today = month.Where(t => t.Day == nowUtc.Date).Sum(t => t.Calls);
            double elapsed = Math.Min(days, Math.Max(0.0, (nowUtc - start).TotalDays));
            return new ApiUsageProjection(nowUtc, used, today, elapsed, days);
        }
    }
}
