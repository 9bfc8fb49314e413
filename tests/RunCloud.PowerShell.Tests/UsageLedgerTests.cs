using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.State;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The usage ledger (per account, month, day and app, atomic across writers) and the meter that feeds it.</summary>
    public class UsageLedgerTests
    {
        private static readonly DateTime Day = new DateTime(2031, 3, 31, 0, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void CountsAddUpPerDayAndAppAndEachMonthHasItsFile()
        {
            var ledger = new UsageLedger(TestStateFolder.NewFolder());
            string account = UsageLedger.AccountOf("manage.runcloud.io", "token:the-secret-token");
            ledger.Add("manage.runcloud.io", account, "rc-a", 400000, new[]
            {
                new UsageCount(Day, "s1-w2", 5), new UsageCount(Day, "account", 1), new UsageCount(Day.AddDays(1), "s1-w2", 7),
            }, TimeSpan.FromSeconds(5), Day);
            ledger.Add("manage.runcloud.io", account, "rc-a", null, new[] { new UsageCount(Day.AddHours(13), "s1-w2", 2) }, TimeSpan.FromSeconds(5), Day);

            UsageMonth march = ledger.Read("manage.runcloud.io", account, 2031, 3)!;
            Assert.Equal(8, march.Total);
            Assert.Equal(7, march.Days["2031-03-31"]["s1-w2"]);
            Assert.Equal(400000, march.MonthlyQuota);
            UsageMonth april = ledger.Read("manage.runcloud.io", account, 2031, 4)!;
            Assert.Equal(7, april.Total);
            Assert.Equal(new[] { "2031-03", "2031-04" }, ledger.ReadAll().Select(m => m.Month));
            Assert.Single(ledger.ReadAll(2031, 4));

            // The account is a hash: no file name or content holds the token.
            foreach (string file in Directory.GetFiles(ledger.Folder))
            {
                Assert.DoesNotContain("the-secret-token", Path.GetFileName(file));
                Assert.DoesNotContain("the-secret-token", File.ReadAllText(file));
            }
        }

        [Fact]
        public void WritersAtTheSameTimeLoseNoCount()
        {
            string folder = TestStateFolder.NewFolder();
            const int writers = 6, adds = 60;
            Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
            {
                var ledger = new UsageLedger(folder); // each its own instance, as another process would be
                for (int i = 0; i < adds; i++) ledger.Add("h", "0123456789abcdef", null, null, new[] { new UsageCount(Day, "s1-w" + (w % 2), 1) }, TimeSpan.FromSeconds(30), Day);
            });
            UsageMonth month = new UsageLedger(folder).Read("h", "0123456789abcdef", 2031, 3)!;
            Assert.Equal(writers * adds, month.Total);
            Assert.Empty(Directory.GetFiles(new UsageLedger(folder).Folder, "*.tmp"));
        }

        [Fact]
        public void AnUnreadableMonthIsSetAsideAndCountingGoesOn()
        {
            var ledger = new UsageLedger(TestStateFolder.NewFolder());
            ledger.Add("h", "0123456789abcdef", null, null, new[] { new UsageCount(Day, "s1-w2", 3) }, TimeSpan.FromSeconds(5), Day);
            string path = ledger.PathFor("h", "0123456789abcdef", 2031, 3);
            File.WriteAllText(path, "{ torn");
            Assert.Throws<StateException>(() => ledger.Read("h", "0123456789abcdef", 2031, 3));
            ledger.Add("h", "0123456789abcdef", null, null, new[] { new UsageCount(Day, "s1-w2", 2) }, TimeSpan.FromSeconds(5), Day);
            Assert.Equal(2, ledger.Read("h", "0123456789abcdef", 2031, 3)!.Total);
            Assert.Single(Directory.GetFiles(ledger.Folder, "*.unreadable-*"));
        }

        [Theory]
        [InlineData("https://manage.runcloud.io/api/v3/servers/1001/webapps/2001/domains?page=2", "s1001-w2001")]
        [InlineData("https://manage.runcloud.io/api/v3/servers/1001/webapps/2001", "s1001-w2001")]
        [InlineData("https://manage.runcloud.io/api/v3/servers/1001/webapps", "account")]
        [InlineData("https://manage.runcloud.io/api/v3/ping", "account")]
        [InlineData("https://x/api/v2/servers/7/webapps/8/ssl/9", "s7-w8")]
        [InlineData("https://x/API/V3/Servers/7/WebApps/8/domains", "s7-w8")]
        [InlineData("https://x/api/v3/servers/7/webapps/8x/domains", "account")]
        [InlineData("https://x/api/v3/servers//webapps/8", "account")]
        [InlineData("https://x/api/v3/servers/7/webapps/12345678901234567890", "account")]
        [InlineData("https://x/api/v3/servers/9999999999999999999/webapps/8", "account")]
        [InlineData("https://x/servers/1/api/v3/servers/7/webapps/8", "s7-w8")]
        public void ARequestCountsForTheWebAppItsPathNames(string uri, string app) =>
            Assert.Equal(app, ApiUsageMeter.AppOf(new Uri(uri)));

        [Fact]
        public void TheMeterDatesByItsClockKeepsWhatItCouldNotWriteAndWritesItLater()
        {
            var clock = new ManualClock { Origin = Day.AddHours(23) };
            var store = new FlakyStore();
            var meter = new ApiUsageMeter("h 0123456789abcdef", clock, store);
            void Send(string path) => meter.Count(new HttpRequestMessage(HttpMethod.Get, "https://h/api/v3/" + path));

            Send("servers/1/webapps/2/domains");
            Send("ping");
            clock.Advance(TimeSpan.FromHours(2)); // the next UTC day, and past the flush interval
            store.Fail = true;
            Send("servers/1/webapps/2/domains");
            Assert.NotNull(meter.LastError);
            Assert.Empty(store.Written);
            Assert.Equal(3, meter.Month(Day).Concat(meter.Month(Day.AddDays(1))).Sum(t => t.Calls));

            store.Fail = false;
            meter.Flush();
            Assert.Null(meter.LastError);
            Assert.Equal(3, store.Written.Sum(t => t.Calls));
            Assert.Equal(new[] { (Day, "account", 1L), (Day, "s1-w2", 1L), (Day.AddDays(1), "s1-w2", 1L) },
                store.Written.GroupBy(t => (t.Day, t.App)).Select(g => (g.Key.Day, g.Key.App, g.Sum(t => t.Calls))).OrderBy(x => x.Day).ThenBy(x => x.App, StringComparer.Ordinal));
            Assert.Empty(meter.Pending());
        }

        [Fact]
        public void TheProjectionSpreadsTheMonthsPaceOverTheDaysLeftNeverFromLessThanADay()
        {
            var ticks = new[] { new ApiUsageTick(new DateTime(2031, 4, 1, 0, 0, 0, DateTimeKind.Utc), "a", 100) };
            ApiUsageProjection firstHour = ApiUsageProjection.For(ticks, new DateTime(2031, 4, 1, 1, 0, 0, DateTimeKind.Utc));
            Assert.Equal(100, firstHour.Today);
            Assert.Equal(100 + 2996, firstHour.Projected); // 100 a day over the 29.96 days left, not 2,400 a day
            ApiUsageProjection tenDays = ApiUsageProjection.For(new[] { new ApiUsageTick(new DateTime(2031, 4, 5, 0, 0, 0, DateTimeKind.Utc), "a", 1000) },
                new DateTime(2031, 4, 11, 0, 0, 0, DateTimeKind.Utc));
            Assert.Equal(100, tenDays.PerDay);
            Assert.Equal(3000, tenDays.Projected);
            Assert.Equal(3050, tenDays.ProjectedWith(50));
        }

        private sealed class FlakyStore : IApiUsageStore
        {
            public bool Fail { get; set; }

            public List<ApiUsageTick> Written { get; } = new List<ApiUsageTick>();

            public void Add(string account, IReadOnlyList<ApiUsageTick> ticks)
            {
                if (Fail) throw new StateException("disk full");
                Written.AddRange(ticks);
            }

            public IReadOnlyList<ApiUsageTick> ReadMonth(string account, int year, int month) =>
                Written.Where(t => t.Day.Year == year && t.Day.Month == month).ToList();
        }
    }
}
