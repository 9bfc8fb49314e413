#if !NETFX_LANE
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.Emulator;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The monthly quota rules of a sync on a clock the test sets (the emulator's): a projection past the quota warns and
    /// the sync goes on; reading that would pass the hard share stops before any call; a change that would pass it stops
    /// after the reads and before any change.
    /// </summary>
    public sealed class QuotaTests : IDisposable
    {
        private static readonly DateTime Now = new DateTime(2031, 3, 11, 0, 0, 0, DateTimeKind.Utc); // 10 days into March
        private readonly RunCloudEmulator _emulator = RunCloudEmulator.Start(new EmulatorOptions { RateLimitPerWindow = 0 });

        public void Dispose() => _emulator.Dispose();

        private sealed class EmulatorTime : Clock
        {
            private readonly EmulatorClock _clock;
            private readonly Stopwatch _watch = Stopwatch.StartNew();

            public EmulatorTime(EmulatorClock clock) => _clock = clock;

            public override TimeSpan Elapsed => _watch.Elapsed;

            public override Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

            public override DateTime UtcNow => _clock.UtcNow;
        }

        /// <summary>What other processes already counted this month (written before this test's meter counts anything).</summary>
        private sealed class MemoryStore : IApiUsageStore
        {
            public List<ApiUsageTick> Ticks { get; } = new List<ApiUsageTick>();

            public void Add(string account, IReadOnlyList<ApiUsageTick> ticks)
            {
                lock (Ticks) Ticks.AddRange(ticks);
            }

            public IReadOnlyList<ApiUsageTick> ReadMonth(string account, int year, int month)
            {
                lock (Ticks) return Ticks.Where(t => t.Day.Year == year && t.Day.Month == month).ToList();
            }
        }

        private (RunCloudConnection Connection, MemoryStore Store) Connect(long used)
        {
            _emulator.Clock.Freeze(Now);
            var store = new MemoryStore();
            store.Ticks.Add(new ApiUsageTick(new DateTime(2031, 3, 2, 0, 0, 0, DateTimeKind.Utc), ApiUsageTick.AccountLevel, used));
            var time = new EmulatorTime(_emulator.Clock);
            var meter = new ApiUsageMeter("quota-test " + Guid.NewGuid().ToString("N").Substring(0, 16), time, store) { MonthlyQuota = 1000, StopShare = 0.9 };
            var connection = new RunCloudConnection(_emulator.ApiV3Uri, "v3", RunCloudCredential.ForToken(SecureText.FromPlain(_emulator.Token)), "test",
                ClientFactory.FastRetry(), 0, TimeSpan.FromMinutes(1), null, clock: time, usage: meter)
            {
                ServerId = 1001,
                WebAppId = 2001,
            };
            return (connection, store);
        }

        private (List<RunCloudSyncResult> Results, IReadOnlyList<ErrorRecord> Errors, List<string> Warnings) Sync(RunCloudConnection connection, params string[] names)
        {
            using var host = new PowerShellHost();
            var output = host.Invoke("Sync-RunCloudDomain -Connection $c -Name $n -Force -SkipDnsCheck -WarningVariable w -WarningAction SilentlyContinue; $w", out var errors,
                new Dictionary<string, object> { ["c"] = connection, ["n"] = names });
            return (output.Select(o => o.BaseObject).OfType<RunCloudSyncResult>().ToList(), errors,
                output.Select(o => o.BaseObject).OfType<WarningRecord>().Select(w => w.Message).ToList());
        }

        [Fact]
        public void AProjectionPastTheQuotaWarnsAndTheSyncGoesOn()
        {
            // 400 calls in 10 days: 40 a day, about 1,240 by the month's end: over the quota, far from its 90%.
            var (connection, _) = Connect(400);
            using (connection)
            {
                var (results, errors, warnings) = Sync(connection, "shop.example.com", "warned.example.com");
                Assert.Empty(errors);
                Assert.Equal(new[] { "warned.example.com" }, Assert.Single(results).Added);
                string warning = Assert.Single(warnings, w => w.Contains("at this month's pace"));
                Assert.Contains("reach 1,2", warning);
                Assert.Contains("more than its quota of 1,000 (40", warning);
            }
        }

        [Fact]
        public void PastTheHardShareReadingIsStoppedBeforeAnyCall()
        {
            var (connection, _) = Connect(900);
            using (connection)
            {
                _emulator.ClearRequests();
                var (results, errors, _) = Sync(connection, "shop.example.com", "stopped.example.com");
                ErrorRecord error = Assert.Single(errors);
                Assert.StartsWith(ErrorIds.QuotaReached, error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
                Assert.Empty(results);
                Assert.Empty(_emulator.GetRequests());
            }
        }

        [Fact]
        public void AChangeThatWouldPassTheHardShareIsRefusedAfterTheReadsBeforeAnyChange()
        {
            // 897 + the listing and the SSL state (899) + the add and the redeploy (901) > 900.
            var (connection, _) = Connect(897);
            using (connection)
            {
                _emulator.ClearRequests();
                var (_, errors, _) = Sync(connection, "shop.example.com", "refused.example.com");
                Assert.StartsWith(ErrorIds.QuotaReached, Assert.Single(errors).FullyQualifiedErrorId);
                Assert.Contains("the 2 call(s) this change needs would pass 90% of its monthly quota (900 calls). Nothing was changed.", errors[0].Exception.Message);
                Assert.All(_emulator.GetRequests(), q => Assert.Equal("GET", q.Method));
                Assert.DoesNotContain(_emulator.State.GetDomains(1001, 2001), d => d.Name == "refused.example.com");
            }
        }
    }
}
#endif
