#if !NETFX_LANE
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.Emulator;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A month of scheduled syncs on a movable clock (the emulator's, which the module's connection reads too): the
    /// module's usage counter (Get-RunCloudApiUsage -PerDay) matches the emulator's own request log day by day, and the
    /// run sends nothing on the days nothing changed beyond the daily full check (one call on most days, the listing once a
    /// week and whenever that one call finds the app changed).
    /// </summary>
    [Collection(ApiUsageMonthCollection.Name)]
    public sealed class ApiUsageMonthTests : IDisposable
    {
        private static readonly DateTime Start = new DateTime(2031, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        private readonly RunCloudEmulator _emulator = RunCloudEmulator.Start(new EmulatorOptions { RateLimitPerWindow = 0 });

        public void Dispose() => _emulator.Dispose();

        /// <summary>The emulator's clock, as the module's connection reads it (pacing still by real time).</summary>
        private sealed class EmulatorTime : Clock
        {
            private readonly EmulatorClock _clock;
            private readonly Stopwatch _watch = Stopwatch.StartNew();

            public EmulatorTime(EmulatorClock clock) => _clock = clock;

            public override TimeSpan Elapsed => _watch.Elapsed;

            public override Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

            public override DateTime UtcNow => _clock.UtcNow;
        }

        [Fact]
        public void GetRunCloudApiUsageMatchesTheEmulatorsLogForAMonthOfScheduledRuns()
        {
            _emulator.Clock.Freeze(Start);
            _emulator.State.AddDomains(1001, 2001, Enumerable.Range(1, 60).Select(i => $"n{i:d2}.example.com"));
            var time = new EmulatorTime(_emulator.Clock);
            RunCloudCredential credential = RunCloudCredential.ForToken(SecureText.FromPlain(_emulator.Token));
            using var connection = new RunCloudConnection(_emulator.ApiV3Uri, "v3", credential, "test", ClientFactory.FastRetry(), 0, TimeSpan.FromMinutes(1), null,
                clock: time, usage: LedgerUsageStore.MeterFor(_emulator.ApiV3Uri, credential, time))
            {
                ServerId = 1001,
                WebAppId = 2001,
            };

            var desired = new List<string> { "shop.example.com" };
            desired.AddRange(Enumerable.Range(1, 60).Select(i => $"n{i:d2}.example.com"));
            string file = Path.Combine(TestStateFolder.NewFolder(), "names.txt");
            using var host = new PowerShellHost();
            var ways = new Dictionary<DateTime, List<string>>();
            for (int day = 0; day < 31; day++)
            {
                for (int slot = 0; slot < 6; slot++)
                {
                    // The source's changes on some days, and one change made in the dashboard (found by the next full check).
                    if (day == 2 && slot == 2) desired.Add("added3.example.com");
                    if (day == 9 && slot == 1) desired.Add("added10.example.com");
                    if (day == 11 && slot == 4) desired.Remove("n05.example.com");
                    if (day == 19 && slot == 0) desired.AddRange(new[] { "added20a.example.com", "added20b.example.com" });
                    if (day == 14 && slot == 3) Assert.True(_emulator.State.RemoveDomain(1001, 2001, "n10.example.com"));
                    File.WriteAllLines(file, desired);

                    var output = host.Invoke("Sync-RunCloudDomain -Connection $c -Path $f -Prune -Force -SkipDnsCheck", out var errors,
                        new Dictionary<string, object> { ["c"] = connection, ["f"] = file });
                    Assert.True(errors.Count == 0, $"day {day + 1} slot {slot}: " + string.Join("; ", errors.Select(e => e.ToString())));
                    RunCloudSyncResult r = output.Select(o => o.BaseObject).OfType<RunCloudSyncResult>().Single();
                    Assert.True(r.Success, $"day {day + 1} slot {slot}");
                    Assert.Equal(r.PlannedCalls, r.ApiCalls);
                    DateTime date = _emulator.Clock.UtcNow.Date;
                    if (!ways.TryGetValue(date, out List<string>? list)) ways[date] = list = new List<string>();
                    list.Add(r.Way!);

                    if (day == 6 && slot == 5)
                    {
                        // Someone's own look at the app counts too.
                        host.Invoke("Get-RunCloudDomain -Connection $c -Name n01.example.com | Out-Null", out errors, new Dictionary<string, object> { ["c"] = connection });
                        Assert.Empty(errors);
                    }

                    _emulator.Clock.Advance(TimeSpan.FromHours(4));
                }
            }

            var usage = host.Invoke("Get-RunCloudApiUsage -Connection $c -Month $m -PerDay", out var usageErrors,
                new Dictionary<string, object> { ["c"] = connection, ["m"] = Start })
                .Select(o => o.BaseObject).OfType<RunCloudApiUsageDay>().ToDictionary(d => d.Date, d => d.Calls);
            Assert.Empty(usageErrors);
            Dictionary<DateTime, long> logged = _emulator.GetRequests().GroupBy(q => q.Time.Date).ToDictionary(g => g.Key, g => (long)g.Count());

            Assert.Equal(logged.OrderBy(kv => kv.Key), usage.OrderBy(kv => kv.Key));
            Assert.Equal(31, logged.Count);

            // A day with no change: its first run is the full check, one call (the drift check vouches for the 62 domains
            // instead of listing their 2 pages); the five others send nothing.
            Assert.Equal(new[] { "DriftCheck", "Unchanged", "Unchanged", "Unchanged", "Unchanged", "Unchanged" }, ways[Start.AddDays(1)]);
            Assert.Equal(1, usage[Start.AddDays(1)]);
            // The day one name was added: the drift check (1) + its search, the SSL state, the add and the redeploy (4).
            Assert.Equal(new[] { "DriftCheck", "Unchanged", "Targeted", "Unchanged", "Unchanged", "Unchanged" }, ways[Start.AddDays(2)]);
            Assert.Equal(5, usage[Start.AddDays(2)]);
            // The full listing once a week (-FullListEvery): days 8 and 15, then 23 and 30...
            foreach (int day in new[] { 7, 14, 22, 29 })
            {
                Assert.Equal("Full", ways[Start.AddDays(day)][0]);
                Assert.Equal(2, usage[Start.AddDays(day)]);
            }

            // ...and day 16, whose drift check found the domain removed in the dashboard on day 15 (the total one less), listed
            // the app in the same run (1 + 2 pages) and restored it (the SSL state, the add, the redeploy): the week starts again
            // there.
            Assert.Equal("Full", ways[Start.AddDays(15)][0]);
            Assert.Equal(1 + 2 + 3, usage[Start.AddDays(15)]);
            Assert.Contains(_emulator.State.GetDomains(1001, 2001), d => d.Name == "n10.example.com");
            int[] listed = { 0, 7, 14, 15, 22, 29 };
            Assert.Equal(new[] { "DriftCheck" }, Enumerable.Range(0, 31).Except(listed).Select(day => ways[Start.AddDays(day)][0]).Distinct());

            RunCloudApiUsage month = host.Invoke("Get-RunCloudApiUsage -Connection $c -Month $m", out usageErrors, new Dictionary<string, object> { ["c"] = connection, ["m"] = Start })
                .Select(o => o.BaseObject).OfType<RunCloudApiUsage>().Single();
            Assert.Equal(logged.Values.Sum(), month.Calls);
            Assert.Equal(month.Calls, month.Projected); // a month gone by: its total
        }
    }

    /// <summary>
    /// The month's ledger lives in the process's state folder (RUNCLOUD_STATE_PATH), which other test classes point
    /// elsewhere while they run: this test runs alone, or its counts land in, and are read from, another folder.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ApiUsageMonthCollection
    {
        public const string Name = "ApiUsageMonth.StateFolder";
    }
}
#endif
