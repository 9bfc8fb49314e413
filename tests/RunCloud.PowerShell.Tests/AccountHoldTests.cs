using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A Retry-After longer than the retry budget holds the ACCOUNT's limiter until then: later calls of that account in
    /// this process fail at once, unsent, naming until when (local time and UTC); other accounts go on. And every limiter
    /// wait of a second or more is reported (the cmdlets' -Verbose line and progress bar). All on the injected clock.
    /// </summary>
    public class AccountHoldTests
    {
        private static readonly Uri Api = new Uri("https://rc.test/api/v3/");

        /// <summary>Answers 429 with <paramref name="retryAfter"/> seconds to the first request, pong afterwards; counts them.</summary>
        private static (MockHttpMessageHandler Mock, Func<int> Count) FirstThrottled(int retryAfter)
        {
            var mock = new MockHttpMessageHandler();
            int n = 0;
            mock.When("*").Respond(_ => Interlocked.Increment(ref n) == 1
                ? ClientFactory.Json((HttpStatusCode)429, "{\"message\":\"Too Many Attempts.\"}", ("Retry-After", retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                : ClientFactory.Pong());
            return (mock, () => Volatile.Read(ref n));
        }

        private static (MockHttpMessageHandler Mock, Func<int> Count) AlwaysPong()
        {
            var mock = new MockHttpMessageHandler();
            int n = 0;
            mock.When("*").Respond(_ => { Interlocked.Increment(ref n); return ClientFactory.Pong(); });
            return (mock, () => Volatile.Read(ref n));
        }

        /// <summary>A connection paced by the process-wide limiter of <paramref name="account"/> (as Connect-RunCloud makes them).</summary>
        private static RunCloudConnection Connect(HttpMessageHandler transport, string account, ManualClock clock)
        {
            TestStateFolder.EnsureSet();
            RateLimiter limiter = AccountRateLimiters.For(Api, account, 0, TimeSpan.FromMinutes(1), clock);
            return new RunCloudConnection(Api, "v3", RunCloudCredential.ForToken(SecureText.FromPlain(ClientFactory.Token)), "test",
                ClientFactory.FastRetry(), 0, TimeSpan.FromMinutes(1), null, transport, limiter, clock);
        }

        private static async Task<T> Within10s<T>(Task<T> task)
        {
            Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task, "did not finish within 10 s");
            return await task;
        }

        [Fact]
        public async Task ADayLongRetryAfterFailsTheAccountsLaterCallsUnsentUntilThenAndLeavesOtherAccountsAlone()
        {
            var clock = new ManualClock();
            var (first, firstCount) = FirstThrottled(86400);
            var (second, secondCount) = AlwaysPong();
            var (other, otherCount) = AlwaysPong();
            using var a1 = Connect(first, "account-a", clock);
            using var a2 = Connect(second, "account-a", clock);   // another connection (or runspace) of the same account
            using var b = Connect(other, "account-b", clock);

            var throttled = await Assert.ThrowsAsync<RunCloudApiException>(() => Within10s(a1.Api.GetAsync("servers", CancellationToken.None)));
            Assert.Equal(ErrorIds.RateLimited, throttled.ErrorId);
            Assert.Equal(429, throttled.StatusCode);
            Assert.Equal(1, firstCount());

            DateTime until = clock.UtcNow.AddDays(1);
            var blocked = await Assert.ThrowsAsync<RunCloudApiException>(() => Within10s(a2.Api.GetAsync("servers/7/webapps/8/domains", CancellationToken.None)));
            Assert.Equal(ErrorIds.RateLimited, blocked.ErrorId);
            Assert.Equal(0, secondCount()); // nothing was sent
            Assert.Null(blocked.StatusCode);
            Assert.Equal(7, blocked.ServerId);
            Assert.Equal(8, blocked.WebAppId);
            Assert.Contains("was not sent", blocked.Message);
            Assert.Contains(until.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", blocked.Message);
            Assert.Contains(until.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " (local)", blocked.Message);
            Assert.Contains("Retry-After 86400 s", blocked.Message);
            Assert.Contains("Run again after", blocked.Hint);

            // The first connection's own later calls are held too.
            await Assert.ThrowsAsync<RunCloudApiException>(() => Within10s(a1.Api.GetAsync("ping", CancellationToken.None)));
            Assert.Equal(1, firstCount());

            // Another account is not held.
            Assert.Equal("pong", (string?)(await Within10s(b.Api.GetAsync("ping", CancellationToken.None)))["message"]);
            Assert.Equal(1, otherCount());

            // Once the day has passed, the account's calls go out again.
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal("pong", (string?)(await Within10s(a2.Api.GetAsync("ping", CancellationToken.None)))["message"]);
            Assert.Equal(1, secondCount());
        }

        [Fact]
        public async Task AHoldShorterThanTheBudgetIsWaitedOutByEveryConnectionOfTheAccount()
        {
            var clock = new ManualClock();
            var (first, firstCount) = FirstThrottled(10);
            var (second, secondCount) = AlwaysPong();
            using var a1 = Connect(first, "account-c", clock);
            using var a2 = Connect(second, "account-c", clock);

            Task<Newtonsoft.Json.Linq.JToken> retried = a1.Api.GetAsync("ping", CancellationToken.None);
            clock.WaitForPendingWaits(1); // the retry handler waits the 10 s
            Task<Newtonsoft.Json.Linq.JToken> queued = a2.Api.GetAsync("ping", CancellationToken.None);
            clock.WaitForPendingWaits(2); // the other connection waits in the account's limiter, it does not fail
            Assert.Equal(0, secondCount());
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("pong", (string?)(await Within10s(retried))["message"]);
            Assert.Equal("pong", (string?)(await Within10s(queued))["message"]);
            Assert.Equal(2, firstCount());
            Assert.Equal(1, secondCount());
        }

        /// <summary>Collects what the lower layers report, as a cmdlet's log would.</summary>
        private sealed class WaitLog : IRunCloudLog
        {
            public List<(TimeSpan Wait, string Reason)> Waits { get; } = new List<(TimeSpan, string)>();
            public bool VerboseEnabled => false;
            public bool DebugEnabled => false;
            public void Verbose(string text) { }
            public void Debug(string text) { }
            public void RateLimitWait(TimeSpan wait, string reason) { lock (Waits) Waits.Add((wait, reason)); }
        }

        [Fact]
        public async Task ALimiterWaitOfASecondOrMoreIsReportedOnceWithWhyAndAShorterOneIsNot()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var log = new WaitLog();
            RunCloudLog.Current = log;
            try
            {
                var slow = new RateLimiter(1, TimeSpan.FromSeconds(60), clock);
                (await slow.EnterAsync(CancellationToken.None)).Dispose();
                (await slow.EnterAsync(CancellationToken.None)).Dispose(); // waits a window after the first ended
                var wait = Assert.Single(log.Waits);
                Assert.Equal(TimeSpan.FromSeconds(60), wait.Wait);
                Assert.Contains("1 requests per 60 s", wait.Reason);

                var fast = new RateLimiter(1, TimeSpan.FromMilliseconds(500), clock);
                (await fast.EnterAsync(CancellationToken.None)).Dispose();
                (await fast.EnterAsync(CancellationToken.None)).Dispose();
                Assert.Single(log.Waits);
            }
            finally
            {
                RunCloudLog.Current = null;
            }
        }

        [Fact]
        public async Task ARetryAfterWaitIsReportedWithRunCloudsReason()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, count) = FirstThrottled(5);
            var log = new WaitLog();
            using var connection = ClientFactory.Create(mock, clock: clock);
            RunCloudLog.Current = log;
            try
            {
                await connection.Api.GetAsync("ping", CancellationToken.None);
            }
            finally
            {
                RunCloudLog.Current = null;
            }

            Assert.Equal(2, count());
            var wait = Assert.Single(log.Waits);
            Assert.Equal(TimeSpan.FromSeconds(5), wait.Wait);
            Assert.Contains("429", wait.Reason);
        }

#if !NETFX_LANE
        // ProgressRecord is PowerShell's: the net472 lane has only PowerShellStandard.Library's stub of it.
        [Fact]
        public void TheWaitNoticeCountsDownOnTheProgressBarAndCompletesIt()
        {
            var notice = new RateLimitWaitNotice();
            Assert.Null(notice.Next(out bool idle));
            Assert.False(idle);
            notice.RateLimitWait(TimeSpan.FromSeconds(30), "this account's pace");
            ProgressRecord? shown = notice.Next(out bool waiting);
            Assert.True(waiting);
            Assert.NotNull(shown);
            Assert.Equal(RateLimitWaitNotice.ActivityId, shown!.ActivityId);
            Assert.Matches(@"^Waiting (29|30) s for the rate limit$", shown.StatusDescription);
            Assert.Equal("this account's pace", shown.CurrentOperation);
            Assert.Equal(ProgressRecordType.Processing, shown.RecordType);
            ProgressRecord? done = notice.End();
            Assert.Equal(ProgressRecordType.Completed, done!.RecordType);
            Assert.Null(notice.End());
            Assert.Equal("RunCloud: waiting 30 s for the rate limit (this account's pace).", RateLimitWaitNotice.Describe(TimeSpan.FromSeconds(29.2), "this account's pace"));
        }

        [Fact]
        public void WithVerboseACmdletSaysItWaitsForTheRateLimitAndShowsItOnItsProgressBar()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, _) = AlwaysPong();
            using var connection = ClientFactory.Create(mock, rateLimit: 1, window: TimeSpan.FromSeconds(42), clock: clock);
            using var host = new PowerShellHost();
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = host.Runspace;
            host.Runspace.SessionStateProxy.SetVariable("c", connection);
            ps.AddScript("Test-RunCloudConnection -Connection $c | Out-Null; Test-RunCloudConnection -Connection $c -Verbose | Out-Null");
            ps.Invoke();
            Assert.Contains(ps.Streams.Verbose, v => v.Message.StartsWith("RunCloud: waiting 42 s for the rate limit (", StringComparison.Ordinal));
            Assert.Contains(ps.Streams.Progress, p => p.ActivityId == RateLimitWaitNotice.ActivityId && p.StatusDescription == "Waiting 42 s for the rate limit");
            Assert.Contains(ps.Streams.Progress, p => p.ActivityId == RateLimitWaitNotice.ActivityId && p.RecordType == ProgressRecordType.Completed);
        }

        [Fact]
        public void WithoutVerboseTheProgressBarStillShowsALongWait()
        {
            var clock = new ManualClock();
            var (mock, count) = AlwaysPong();
            using var connection = ClientFactory.Create(mock, rateLimit: 1, window: TimeSpan.FromSeconds(50), clock: clock);
            using var host = new PowerShellHost();
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = host.Runspace;
            host.Runspace.SessionStateProxy.SetVariable("c", connection);
            ps.AddScript("Test-RunCloudConnection -Connection $c | Out-Null; Test-RunCloudConnection -Connection $c | Out-Null");
            IAsyncResult running = ps.BeginInvoke();
            clock.WaitForPendingWaits(1); // the second call waits in the limiter
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!ps.Streams.Progress.Any(p => p.ActivityId == RateLimitWaitNotice.ActivityId) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.Contains(ps.Streams.Progress, p => p.ActivityId == RateLimitWaitNotice.ActivityId && p.StatusDescription.EndsWith(" s for the rate limit", StringComparison.Ordinal));
            clock.Advance(TimeSpan.FromSeconds(50));
            ps.EndInvoke(running);
            Assert.Equal(2, count());
            Assert.Empty(ps.Streams.Verbose);
            Assert.Contains(ps.Streams.Progress, p => p.ActivityId == RateLimitWaitNotice.ActivityId && p.RecordType == ProgressRecordType.Completed);
        }
#endif
    }
}
