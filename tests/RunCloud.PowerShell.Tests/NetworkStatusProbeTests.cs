using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sync.Status;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The live probe of Get-RunCloudNetworkStatus against a server that accepts connections and never answers: every
    /// name is Unreachable after its own timeout (never a hang), and no more than ThrottleLimit connections are ever open
    /// at once.
    /// </summary>
    public sealed class NetworkStatusProbeTests : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentBag<TcpClient> _held = new ConcurrentBag<TcpClient>();
        private int _accepted;

        public NetworkStatusProbeTests()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>Accepts and holds every connection, counting them; reads what the client sends and answers nothing.</summary>
        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }

                Interlocked.Increment(ref _accepted);
                _held.Add(client);
                _ = Task.Run(async () =>
                {
                    var buffer = new byte[4096];
                    try
                    {
                        NetworkStream stream = client.GetStream();
                        while (await stream.ReadAsync(buffer, 0, buffer.Length) > 0) { } // swallow the ClientHello, answer nothing
                    }
                    catch (Exception) { }
                });
            }
        }

        [Fact]
        public async Task ASilentServerMakesEachNameUnreachableWithinItsTimeoutAndTheBoundHolds()
        {
            var draft = new NetworkStatusDraft();
            for (int i = 0; i < 9; i++)
            {
                var domain = RunCloudDomain.FromJson(new JObject { ["id"] = 10 + i, ["name"] = $"n{i}.example.com", ["type"] = "alias" }, 1001, 2001);
                draft.Names.Add(new JoinedName { Name = domain.Name, Domain = domain, Desired = true, NextSync = "Keep" });
            }

            var progress = new StatusProgress();
            var reader = new NetworkStatusReader(null!, 1001, 2001, new StatusCheckOptions
            {
                Live = true,
                ThrottleLimit = 3,
                Timeout = TimeSpan.FromMilliseconds(1500),
                Address = "127.0.0.1",
                Port = Port,
                SkipDnsReason = "not under test",
            }, progress);

            Task<StatusChecks> running = reader.CheckAsync(draft, new TargetSslState(), CancellationToken.None);

            // The bound: three connections are made, and no fourth while they are open and none has timed out yet.
            for (int i = 0; i < 200 && Volatile.Read(ref _accepted) < 3; i++) await Task.Delay(50);
            Assert.Equal(3, Volatile.Read(ref _accepted));
            await Task.Delay(300);
            Assert.Equal(3, Volatile.Read(ref _accepted));

            StatusChecks checks = await running;
            Assert.Equal(9, checks.Live!.Count);
            Assert.All(checks.Live.Values, c => Assert.Equal("Unreachable", c.Status));
            Assert.All(checks.Live.Values, c => Assert.Contains("within 1.5 s", c.Message));
            Assert.Equal(9, Volatile.Read(ref _accepted));
            Assert.Equal(9, progress.Done);
            Assert.Empty(checks.Dns);
        }

        [Fact]
        public async Task BoundedParallelRunsEveryItemAndNeverMoreThanTheLimitAtOnce()
        {
            int running = 0, most = 0;
            var done = new ConcurrentBag<int>();
            await BoundedParallel.ForEachAsync(Enumerable.Range(0, 40).ToList(), 4, async (i, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                int seen;
                while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                await Task.Delay(5, ct);
                Interlocked.Decrement(ref running);
                done.Add(i);
            }, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, 40), done.OrderBy(i => i));
            Assert.InRange(most, 1, 4);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (TcpClient c in _held) c.Dispose();
            _stop.Dispose();
        }
    }
}
