using System;
using System.Collections;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Commands.Completion;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Id completion lists through the Api layer, gives up after about a second, and caches per connection.</summary>
    public class IdCompleterTests
    {
        /// <summary>Answers a list of servers after <paramref name="delay"/>, observing cancellation; counts the requests.</summary>
        private sealed class SlowServers : HttpMessageHandler
        {
            private readonly TimeSpan _delay;
            private int _count;

            public SlowServers(TimeSpan delay) => _delay = delay;

            public int Count => Volatile.Read(ref _count);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref _count);
                await Task.Delay(_delay, cancellationToken);
                return ClientFactory.Json(HttpStatusCode.OK,
                    "{\"data\":[{\"id\":1001,\"name\":\"web1\"},{\"id\":1002,\"name\":\"web2\"}],\"meta\":{\"pagination\":{\"total\":2,\"total_pages\":1,\"current_page\":1}}}");
            }
        }

        [Fact]
        public void ASlowAccountGivesNoCompletionAfterAboutASecondInsteadOfFreezingThePrompt()
        {
            var transport = new SlowServers(TimeSpan.FromSeconds(8));
            using var connection = ClientFactory.Create(transport, ClientFactory.FastRetry(maxAttempts: 1));
            var clock = Stopwatch.StartNew();
            var results = new ServerIdCompleter().CompleteArgument("Get-RunCloudWebApp", "ServerId", string.Empty, null!,
                new Hashtable { ["Connection"] = connection }).ToList();
            Assert.Empty(results);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"completion took {clock.Elapsed}");
        }

        [Fact]
        public void CompletionIsReadOnceAndCachedPerConnection()
        {
            var transport = new SlowServers(TimeSpan.Zero);
            using var connection = ClientFactory.Create(transport);
            var bound = new Hashtable { ["Connection"] = connection };
            var first = new ServerIdCompleter().CompleteArgument("Get-RunCloudWebApp", "ServerId", "10", null!, bound).ToList();
            var second = new ServerIdCompleter().CompleteArgument("Get-RunCloudWebApp", "ServerId", "web2", null!, bound).ToList();
            Assert.Equal(2, first.Count);
            var only = Assert.Single(second);
            Assert.Equal(1, transport.Count);
#if !NETFX_LANE
            // On the net472 lane PowerShellStandard's reference CompletionResult stores nothing: the texts are an
            // engine behaviour, checked on PowerShell 7 only; the count and the single read above hold on both.
            Assert.Equal(new[] { "1001", "1002" }, first.Select(r => r.CompletionText));
            Assert.Equal("1002", only.CompletionText);
#endif
        }
    }
}
