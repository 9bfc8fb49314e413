using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The final error after retries says how many attempts over how long, so an operator can tell a flaky server from a dead one; timed by an injected clock.</summary>
    public class RetryReportTests
    {
        private static HttpResponseMessage Busy()
        {
            HttpResponseMessage answer = ClientFactory.Json(HttpStatusCode.ServiceUnavailable, "{\"message\":\"Service Unavailable\"}");
            answer.Headers.TryAddWithoutValidation("Retry-After", "2");
            return answer;
        }

        [Fact]
        public async Task AStatusThatOutlastsTheRetriesCarriesAttemptsAndElapsed()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => Busy());
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 3), clock: clock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("servers", CancellationToken.None));
            Assert.Equal(3, ex.Attempts);
            Assert.Equal(TimeSpan.FromSeconds(4), ex.Elapsed); // two waits of Retry-After: 2
            Assert.EndsWith("Gave up after 3 attempts over 4 s.", ErrorRecords.FailureMessage(ex));
        }

        [Fact]
        public async Task AnErrorWithoutRetriesSaysNothingAboutAttempts()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"Server not found.\"}"));
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 3));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("servers/9", CancellationToken.None));
            Assert.Equal(1, ex.Attempts);
            Assert.DoesNotContain("attempts", ErrorRecords.FailureMessage(ex));
        }

        [Fact]
        public async Task ATransportFailureThatOutlastsTheRetriesCarriesAttemptsAndElapsed()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var mock = new MockHttpMessageHandler();
            mock.When("*").Throw(new HttpRequestException("connection refused"));
            var retry = ClientFactory.FastRetry(maxAttempts: 2);
            retry.BaseDelay = TimeSpan.FromSeconds(1);
            retry.MaxDelay = TimeSpan.FromSeconds(1);
            using var connection = ClientFactory.Create(mock, retry, clock: clock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("servers", CancellationToken.None));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.Equal(2, ex.Attempts);
            Assert.InRange(ex.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)); // one back-off: half to all of 1 s
            Assert.Contains("Gave up after 2 attempts over", ErrorRecords.FailureMessage(ex));
        }
    }
}
