using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// What a sync may do side by side, proved with gates in a fake RunCloud (no clocks, no timings): within one web app
    /// the listing and the SSL read are independent reads, asked together; across a manifest's targets each target's
    /// writes start once its own plan is made and confirmed, not after every target's. A gate that is never opened times
    /// out and the test fails; the order within a target (no write before its plan) is checked by the same log.
    /// The cmdlet case points the process's state folder at its own (its targets are rc.test's web apps 2 and 3, which
    /// other tests lock too), so the class runs in the collection that runs alone.
    /// </summary>
    [Collection(ProcessStateFolderCollection.Name)]
    public class SideBySideTests
    {
        private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Server 1 with web apps 2 and 3 (no certificate, basic mode): domains listed, added and removed as RunCloud would.
        /// <see cref="Hold"/> lets a test hold an answer until something else was seen.
        /// </summary>
        private sealed class FakeApps : HttpMessageHandler
        {
            private long _nextId = 100;

            public ConcurrentDictionary<long, List<(long Id, string Name, string Type)>> Apps { get; } = new ConcurrentDictionary<long, List<(long, string, string)>>();

            public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

            /// <summary>Called with "METHOD path" before the request is answered; the answer waits for the task.</summary>
            public Func<string, Task>? Hold { get; set; }

            /// <summary>Completed for each "METHOD path" the moment it arrives.</summary>
            public ConcurrentDictionary<string, TaskCompletionSource<bool>> Seen { get; } = new ConcurrentDictionary<string, TaskCompletionSource<bool>>();

            public Task WhenSeen(string request) => Seen.GetOrAdd(request, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string path = request.RequestUri!.AbsolutePath.Replace("/api/v3/", string.Empty).TrimStart('/');
                string line = request.Method.Method + " " + path;
                Requests.Enqueue(line);
                Seen.GetOrAdd(line, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);
                if (Hold != null) await Hold(line).ConfigureAwait(false);

                string[] parts = path.Split('/');
                if (parts.Length < 5 || parts[0] != "servers" || parts[2] != "webapps") return ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}");
                long app = long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture);
                List<(long Id, string Name, string Type)> domains = Apps.GetOrAdd(app, _ => new List<(long, string, string)>());
                string rest = string.Join("/", parts.Skip(4));
                if (request.Method == HttpMethod.Get && rest == "domains")
                {
                    JArray data;
                    lock (domains) data = new JArray(domains.Select(d => new JObject { ["id"] = d.Id, ["name"] = d.Name, ["type"] = d.Type, ["www"] = 0 }));
                    var body = new JObject { ["data"] = data, ["meta"] = new JObject { ["pagination"] = new JObject { ["total"] = data.Count, ["total_pages"] = 1, ["current_page"] = 1 } } };
                    return ClientFactory.Json(HttpStatusCode.OK, body.ToString());
                }

                if (request.Method == HttpMethod.Get && rest == "ssl") return ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"SSL not installed!\"}");
                if (request.Method == HttpMethod.Get && rest == "ssl/advanced") return ClientFactory.Json(HttpStatusCode.OK, "{\"advancedSSL\":false,\"autoSSL\":false}");
                if (request.Method == HttpMethod.Post && rest == "domains")
                {
                    string name = (string)JObject.Parse(await request.Content!.ReadAsStringAsync().ConfigureAwait(false))["name"]!;
                    long id = Interlocked.Increment(ref _nextId);
                    lock (domains) domains.Add((id, name, "alias"));
                    return ClientFactory.Json(HttpStatusCode.OK, new JObject { ["id"] = id, ["name"] = name, ["type"] = "alias" }.ToString());
                }

                if (request.Method == HttpMethod.Delete && rest.StartsWith("domains/", StringComparison.Ordinal))
                {
                    long id = long.Parse(rest.Substring("domains/".Length), System.Globalization.CultureInfo.InvariantCulture);
                    lock (domains) domains.RemoveAll(d => d.Id == id);
                    return ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}");
                }

                return ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}");
            }
        }

        private sealed class Host : IApplyHost
        {
            public bool Confirm(ApplyStep step) => true;

            public void Verbose(string text)
            {
            }

            public void Warning(string text)
            {
            }

            public void Progress(string status, int done, int total)
            {
            }
        }

        private static FakeApps TwoApps()
        {
            var fake = new FakeApps();
            fake.Apps[2] = new List<(long, string, string)> { (1, "two.example.com", "primary"), (3, "old2.example.com", "alias") };
            fake.Apps[3] = new List<(long, string, string)> { (2, "three.example.com", "primary"), (4, "old3.example.com", "alias") };
            return fake;
        }

        private static (AppTarget Target, AppRequest Request) Sync(RunCloudConnection connection, JournalStore store, bool full, params string[] names)
        {
            var options = new AppRunOptions
            {
                Store = store,
                LockTimeout = TimeSpan.Zero,
                ChangeDetection = true,
                Full = full,
                Ssl = new SslOptions { SkipDnsCheck = true, MaxNamesPerCertificate = 100 },
            };
            var request = AppRequest.ForDesired(names.Select(n => new DesiredEntry(n)), new SyncOptions { Prune = true, MaxRemove = 5 }, options);
            return (new AppTarget(connection.CreateService(), new AppStateKey("abcdef", 1, 2), "https://rc.test/api/v3/", 1, 2), request);
        }

        [Fact]
        public async Task TheSslReadIsAskedBeforeTheListingIsAnswered_AndNoWriteBeforeBoth()
        {
            FakeApps fake = TwoApps();
            // The listing is answered only once the SSL read has arrived: asked one after the other, it never would.
            bool sslBeforeListing = false;
            fake.Hold = async line =>
            {
                if (line != "GET servers/1/webapps/2/domains") return;
                Task ssl = fake.WhenSeen("GET servers/1/webapps/2/ssl");
                sslBeforeListing = await Task.WhenAny(ssl, Task.Delay(GateTimeout)).ConfigureAwait(false) == ssl;
            };
            var store = new JournalStore(TestStateFolder.NewFolder());
            using RunCloudConnection connection = ClientFactory.Create(fake);
            var (target, request) = Sync(connection, store, full: false, "two.example.com", "new.example.com");

            var host = new Host();
            using PreparedApply p = await AppSyncEngine.PrepareAsync(target, request, host, CancellationToken.None);
            Assert.True(sslBeforeListing, "the SSL read was not asked until the listing was answered: " + string.Join(", ", fake.Requests));
            Assert.All(fake.Requests, r => Assert.StartsWith("GET ", r)); // preparing never writes
            AppSyncEngine.ApproveAll(p);
            AppOutcome outcome = await AppSyncEngine.ApplyAsync(p, host, CancellationToken.None);

            Assert.Equal(new[] { "new.example.com" }, outcome.Added);
            Assert.Equal(new[] { "old2.example.com" }, outcome.Removed);
            // Each read once: the plan used the SSL state read beside the listing.
            Assert.Single(fake.Requests, r => r == "GET servers/1/webapps/2/ssl");
            Assert.Single(fake.Requests, r => r == "GET servers/1/webapps/2/ssl/advanced");
        }

        [Fact]
        public async Task NoSslReadIsSentWhenTheLastSyncsRecordSaysNothingWillChange()
        {
            FakeApps fake = TwoApps();
            var store = new JournalStore(TestStateFolder.NewFolder());
            using RunCloudConnection connection = ClientFactory.Create(fake);
            var host = new Host();
            var (target, request) = Sync(connection, store, full: false, "two.example.com", "new.example.com");
            using (PreparedApply p = await AppSyncEngine.PrepareAsync(target, request, host, CancellationToken.None))
            {
                AppSyncEngine.ApproveAll(p);
                await AppSyncEngine.ApplyAsync(p, host, CancellationToken.None);
            }

            while (fake.Requests.TryDequeue(out _)) { }
            // -Full lists the app again; the clean sync's record predicts no change, so the SSL state is not read ahead.
            var (again, same) = Sync(connection, store, full: true, "two.example.com", "new.example.com");
            using (PreparedApply p = await AppSyncEngine.PrepareAsync(again, same, host, CancellationToken.None))
            {
                Assert.False(p.HasWork);
            }

            Assert.Equal(new[] { "GET servers/1/webapps/2/domains" }, fake.Requests.ToArray());
        }

#if !NETFX_LANE
        // Through the cmdlet (a PowerShell 7 runspace: not in the .NET Framework lane).
        [Fact]
        public void AManifestTargetWritesWhileAnotherTargetsPlanIsStillHeld_AndResultsKeepTheManifestsOrder()
        {
            FakeApps fake = TwoApps();
            // Target 1's listing is answered only after target 2's first write arrived: planning every target before any
            // applies would wait for target 1's plan first, and never see that write.
            bool wroteWhileHeld = false;
            fake.Hold = async line =>
            {
                if (line != "GET servers/1/webapps/2/domains") return;
                Task write = fake.WhenSeen("POST servers/1/webapps/3/domains");
                wroteWhileHeld = await Task.WhenAny(write, Task.Delay(GateTimeout)).ConfigureAwait(false) == write;
            };
            string folder = TestStateFolder.NewFolder();
            string manifest = Path.Combine(folder, "fleet.json");
            File.WriteAllText(manifest, @"{ ""targets"": [
                { ""serverId"": 1, ""webAppId"": 2, ""domains"": [ ""two.example.com"", ""new2.example.com"" ], ""prune"": true, ""maxRemove"": 1 },
                { ""serverId"": 1, ""webAppId"": 3, ""domains"": [ ""three.example.com"", ""new3.example.com"" ], ""prune"": true, ""maxRemove"": 1 } ] }");
            using RunCloudConnection connection = ClientFactory.Create(fake);
            using var host = new PowerShellHost();
            string? saved = Environment.GetEnvironmentVariable(StateFolder.OverrideVariable);
            System.Collections.ObjectModel.Collection<System.Management.Automation.PSObject> output;
            IReadOnlyList<System.Management.Automation.ErrorRecord> errors;
            try
            {
                Environment.SetEnvironmentVariable(StateFolder.OverrideVariable, folder);
                output = host.Invoke("Sync-RunCloudDomain -Connection $c -Manifest $m -ThrottleLimit 2 -SkipDnsCheck -Force -WarningAction SilentlyContinue", out errors,
                    new Dictionary<string, object> { ["c"] = connection, ["m"] = manifest });
            }
            finally
            {
                Environment.SetEnvironmentVariable(StateFolder.OverrideVariable, saved);
            }

            Assert.Empty(errors);
            Assert.True(wroteWhileHeld, "target 2 wrote nothing while target 1's listing was held: " + string.Join(", ", fake.Requests));
            RunCloudFleetResult[] results = output.Select(o => o.BaseObject).OfType<RunCloudFleetResult>().ToArray();
            Assert.Equal(new[] { 1, 2 }, results.Select(r => r.Index).ToArray());
            Assert.All(results, r => Assert.Equal("Applied", r.Status));
            Assert.Equal(new[] { "new2.example.com" }, results[0].Added);
            Assert.Equal(new[] { "old3.example.com" }, results[1].Removed);
            // Within each target every read came before its first write.
            foreach (long app in new long[] { 2, 3 })
            {
                string[] own = fake.Requests.Where(r => r.Contains($"/webapps/{app}/")).ToArray();
                int firstWrite = Array.FindIndex(own, r => !r.StartsWith("GET ", StringComparison.Ordinal));
                Assert.True(firstWrite > 0, $"web app {app}: {string.Join(", ", own)}");
                Assert.All(own.Skip(firstWrite), r => Assert.False(r.StartsWith("GET ", StringComparison.Ordinal), $"web app {app} read after its first write: {string.Join(", ", own)}"));
            }
        }
#endif
    }
}
