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
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The apply engine, with no PowerShell: it journals before the first change and clears only after SSL succeeded,
    /// reports only what it observed, refuses before any change what the SSL step would certainly refuse, and checks a
    /// saved plan's changes against its own live list and rules again.
    /// </summary>
    [Collection(StepObserverCollection.Name)]
    public class AppSyncEngineTests
    {
        private sealed class Host : IApplyHost
        {
            public List<string> Warnings { get; } = new List<string>();

            public bool Confirm(ApplyStep step) => true;

            public void Verbose(string text)
            {
            }

            public void Warning(string text)
            {
                lock (Warnings) Warnings.Add(text);
            }

            public void Progress(string status, int done, int total)
            {
            }
        }

        /// <summary>
        /// One web app (server 1, web app 2) with state: its domains, a basic certificate (id 5) or none. Records every
        /// request and, for every change, whether the journal file existed when it arrived.
        /// </summary>
        private sealed class FakeApp : HttpMessageHandler
        {
            private readonly string? _journal;
            private long _nextId = 100;

            public FakeApp(string? journal, bool certificate = true, params (long Id, string Name, string Type)[] domains)
            {
                _journal = journal;
                Certificate = certificate;
                foreach (var d in domains) Domains.Add(d);
            }

            public List<(long Id, string Name, string Type)> Domains { get; } = new List<(long, string, string)>();

            public bool Certificate { get; set; }

            public bool FailPut { get; set; }

            public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

            public List<(string Request, bool JournalExisted)> Changes { get; } = new List<(string, bool)>();

            public IEnumerable<string> Mutations => Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal));

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string path = request.RequestUri!.AbsolutePath.Replace("/api/v3/", string.Empty).TrimStart('/');
                Requests.Enqueue(request.Method.Method + " " + path);
                if (request.Method != HttpMethod.Get) lock (Changes) Changes.Add((request.Method.Method + " " + path, _journal != null && File.Exists(_journal)));
                if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/domains")
                {
                    var data = new JArray(Domains.Select(d => new JObject { ["id"] = d.Id, ["name"] = d.Name, ["type"] = d.Type, ["www"] = 0 }));
                    var body = new JObject { ["data"] = data, ["meta"] = new JObject { ["pagination"] = new JObject { ["total"] = data.Count, ["total_pages"] = 1, ["current_page"] = 1 } } };
                    return ClientFactory.Json(HttpStatusCode.OK, body.ToString());
                }

                if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/ssl")
                {
                    return Certificate
                        ? ClientFactory.Json(HttpStatusCode.OK, "{\"id\":5,\"method\":\"letsencrypt\",\"validUntil\":\"2026-01-01 00:00:00\"}")
                        : ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"SSL not installed!\"}");
                }

                if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/ssl/advanced")
                    return ClientFactory.Json(HttpStatusCode.OK, "{\"advancedSSL\":false,\"autoSSL\":false}");
                if (request.Method == HttpMethod.Post && path == "servers/1/webapps/2/domains")
                {
                    string name = (string)JObject.Parse(await request.Content!.ReadAsStringAsync().ConfigureAwait(false))["name"]!;
                    long id = _nextId++;
                    Domains.Add((id, name, "alias"));
                    return ClientFactory.Json(HttpStatusCode.OK, new JObject { ["id"] = id, ["name"] = name, ["type"] = "alias" }.ToString());
                }

                if (request.Method == HttpMethod.Delete && path.StartsWith("servers/1/webapps/2/domains/", StringComparison.Ordinal))
                {
                    long id = long.Parse(path.Substring("servers/1/webapps/2/domains/".Length), System.Globalization.CultureInfo.InvariantCulture);
                    if (Domains.RemoveAll(d => d.Id == id) == 0)
                        return ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"No query results for model [App\\\\Models\\\\Domain] " + id + "\"}");
                    return ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}");
                }

                if (request.Method == HttpMethod.Put && FailPut)
                    return ClientFactory.Json(HttpStatusCode.InternalServerError, "{\"message\":\"Server Error\"}");
                return ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}");
            }
        }

        private static readonly (long, string, string)[] KeepAndOld = { (1, "keep.example.com", "primary"), (3, "old.example.com", "alias") };

        private static AppRunOptions Options(JournalStore store, bool whatIf = false) => new AppRunOptions
        {
            Store = store,
            WhatIf = whatIf,
            LockTimeout = TimeSpan.Zero,
            Ssl = new SslOptions { SkipDnsCheck = true, MaxNamesPerCertificate = 100 },
        };

        private static AppRequest Desired(AppRunOptions options, params string[] names) =>
            AppRequest.ForDesired(names.Select(n => new DesiredEntry(n)), new SyncOptions { Prune = true }, options);

        private static AppTarget Target(RunCloudConnection connection, AppStateKey key) => new AppTarget(connection.CreateService(), key, "https://rc.test/api/v3/", 1, 2);

        /// <summary>Prepare, approve every step, apply: what a confirmed run does.</summary>
        private static async Task<(PreparedApply Prepared, AppOutcome Outcome)> RunAll(AppTarget target, AppRequest request, IApplyHost host)
        {
            PreparedApply p = await AppSyncEngine.PrepareAsync(target, request, host, CancellationToken.None);
            using (p)
            {
                AppSyncEngine.ApproveAll(p);
                return (p, await AppSyncEngine.ApplyAsync(p, host, CancellationToken.None));
            }
        }

        private static void AssertNothingOwed(AppJournal? journal)
        {
            if (journal == null) return;
            Assert.False(journal.HasOwedWork, "the journal still owes: " + AppSyncEngine.Describe(journal));
        }

        [Fact]
        public async Task JournalIsWrittenBeforeTheFirstChange_AndClearedOnlyAfterTheRedeploy()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(store.JournalPath(key), true, KeepAndOld);
            using RunCloudConnection connection = ClientFactory.Create(app);
            var (_, outcome) = await RunAll(Target(connection, key), Desired(Options(store), "keep.example.com", "new.example.com"), new Host());

            Assert.Equal(new[] { "POST servers/1/webapps/2/domains", "DELETE servers/1/webapps/2/domains/3", "PUT servers/1/webapps/2/ssl/5" }, app.Changes.Select(c => c.Request));
            Assert.All(app.Changes, c => Assert.True(c.JournalExisted, c.Request + " was sent before the journal existed"));
            Assert.True(outcome.SslRedeployed);
            AssertNothingOwed(store.Load(key));
        }

        [Fact]
        public async Task AFailedRedeploy_IsNotReportedAsRedeployed_StaysOwed_AndTheNextRunFinishesIt_SayingSo()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(store.JournalPath(key), true, KeepAndOld) { FailPut = true };
            using (RunCloudConnection connection = ClientFactory.Create(app, ClientFactory.FastRetry(1)))
            {
                var (_, first) = await RunAll(Target(connection, key), Desired(Options(store), "keep.example.com", "new.example.com"), new Host());
                Assert.Contains(first.Failures, f => f.Failure.Action == "RedeploySsl" && f.Message.IndexOf("stays owed in the journal", StringComparison.Ordinal) >= 0);
                Assert.False(first.SslRedeployed, "SslRedeployed is only true after a redeploy that succeeded");
            }

            AppJournal owed = store.Load(key)!;
            Assert.True(owed.SslRedeployPending);
            Assert.Empty(owed.PendingAdds);
            Assert.Empty(owed.PendingRemovals);
            Assert.Equal("new.example.com", Assert.Single(owed.SslDomains).Name);

            // Nothing left to change: the next run redeploys only because the journal says so, and says so.
            app.FailPut = false;
            while (app.Changes.Count > 0) app.Changes.RemoveAt(0);
            var host = new Host();
            using RunCloudConnection again = ClientFactory.Create(app);
            var (prepared, second) = await RunAll(Target(again, key), Desired(Options(store), "keep.example.com", "new.example.com"), host);
            Assert.False(prepared.ChangesDomains);
            Assert.True(second.SslRedeployed);
            Assert.NotEmpty(second.FinishedPending);
            Assert.Contains(host.Warnings, w => w.IndexOf("left work unfinished", StringComparison.Ordinal) >= 0);
            Assert.Equal(new[] { "PUT servers/1/webapps/2/ssl/5" }, app.Changes.Select(c => c.Request));
            AssertNothingOwed(store.Load(key));
        }

        [Fact]
        public async Task ADeleteAnswered404_IsAlreadyGone_NotRemoved_AndNeedsNoRedeploy()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(store.JournalPath(key), true, KeepAndOld);
            using RunCloudConnection connection = ClientFactory.Create(app);
            var host = new Host();
            using PreparedApply p = await AppSyncEngine.PrepareAsync(Target(connection, key), Desired(Options(store), "keep.example.com"), host, CancellationToken.None);
            Assert.Single(p.Removals);
            app.Domains.RemoveAll(d => d.Id == 3); // someone else removes it between the listing and the DELETE
            AppSyncEngine.ApproveAll(p);
            AppOutcome outcome = await AppSyncEngine.ApplyAsync(p, host, CancellationToken.None);

            Assert.Empty(outcome.Removed);
            Assert.Equal(new[] { "old.example.com" }, outcome.AlreadyGone);
            Assert.False(outcome.SslRedeployed, "this run changed nothing, so it redeployed nothing");
            Assert.DoesNotContain(app.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
            AssertNothingOwed(store.Load(key));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task BasicSslPastTheNameLimit_IsRefusedBeforeAnyAdd_AndADryRunSaysWhy(bool whatIf)
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(store.JournalPath(key), true, KeepAndOld);
            using RunCloudConnection connection = ClientFactory.Create(app);
            string[] names = Enumerable.Range(1, 120).Select(i => $"n{i}.example.com").Concat(new[] { "keep.example.com", "old.example.com" }).ToArray();
            var host = new Host();
            using PreparedApply p = await AppSyncEngine.PrepareAsync(Target(connection, key), Desired(Options(store, whatIf), names), host, CancellationToken.None);

            Assert.NotNull(p.Refusal);
            Assert.Equal(SslRefusedException.TooManyNames, p.Refusal!.ErrorId);
            Assert.Contains("would be refused at SSL", p.Refusal.Message);
            Assert.Contains("122 names", p.Refusal.Message);
            Assert.Empty(app.Mutations);
            Assert.False(File.Exists(store.JournalPath(key)), "a refused run writes no journal");
            Assert.False(p.HasWork);

            AppSyncEngine.ApproveAll(p);
            AppOutcome outcome = await AppSyncEngine.ApplyAsync(p, host, CancellationToken.None);
            Assert.Empty(app.Mutations);
            Assert.Equal(whatIf ? 120 : 0, outcome.Added.Count);
        }

        private static RunCloudSyncPlan SavedPlan(FakeApp app, params RunCloudPlannedDomain[] remove)
        {
            RunCloudPlannedDomain[] live = app.Domains.Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.Type == "primary")).ToArray();
            return new RunCloudSyncPlan
            {
                Index = 1,
                BaseUri = "https://rc.test/api/v3/",
                ServerId = 1,
                WebAppId = 2,
                Desired = new[] { "keep.example.com" },
                Prune = true,
                Remove = remove,
                SslAction = "Redeploy",
                SslState = "Certificate",
                SslOrders = 1,
                Live = live,
                Fingerprint = LiveFingerprint.Compute(live),
            };
        }

        private static Task<PreparedApply> PrepareSaved(RunCloudConnection connection, JournalStore store, AppStateKey key, RunCloudSyncPlan plan) =>
            AppSyncEngine.PrepareAsync(Target(connection, key), AppRequest.ForSavedPlan(plan, TargetPlanner.Guards(plan), Options(store)), new Host(), CancellationToken.None);

        [Fact]
        public async Task ASavedPlansRemoval_MustBeARowOfItsOwnLiveList()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(null, true, (1, "keep.example.com", "primary"), (3, "old.example.com", "alias"), (4, "other.example.com", "alias"));
            using RunCloudConnection connection = ClientFactory.Create(app);
            // The plan's live list was edited to hide id 4, and its fingerprint recomputed: the re-read list differs.
            RunCloudSyncPlan edited = SavedPlan(app, new RunCloudPlannedDomain(4, "other.example.com"));
            edited.Live = edited.Live.Where(l => l.Id != 4).ToArray();
            edited.Fingerprint = LiveFingerprint.Compute(edited.Live);
            using (PreparedApply p = await PrepareSaved(connection, store, key, edited))
            {
                Assert.Equal(ErrorIds.FleetTargetRefused, p.Refusal?.ErrorId);
            }

            // A removal id that is not on the plan's own (unedited) live list.
            RunCloudSyncPlan stranger = SavedPlan(app, new RunCloudPlannedDomain(77, "old.example.com"));
            using (PreparedApply p = await PrepareSaved(connection, store, key, stranger))
            {
                Assert.Equal(ErrorIds.InvalidPlan, p.Refusal?.ErrorId);
                Assert.Contains("not a row of its own live list", p.Refusal!.Message);
            }

            Assert.Empty(app.Mutations);
        }

        [Fact]
        public async Task ASavedPlansRemoval_MustPassThePlannersRulesAgain()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(null, true, (1, "keep.example.com", "primary"), (3, "old.example.com", "alias"), (4, "shop.x.runcloud.link", "alias"));
            using RunCloudConnection connection = ClientFactory.Create(app);
            foreach (RunCloudPlannedDomain sneaked in new[] { new RunCloudPlannedDomain(1, "keep.example.com"), new RunCloudPlannedDomain(4, "shop.x.runcloud.link") })
            {
                using PreparedApply p = await PrepareSaved(connection, store, key, SavedPlan(app, new RunCloudPlannedDomain(3, "old.example.com"), sneaked));
                Assert.Equal(ErrorIds.InvalidPlan, p.Refusal?.ErrorId);
                Assert.Contains("does not allow", p.Refusal!.Message.Replace("do not allow", "does not allow"));
            }

            // Without prune a saved removal is refused too: the plan's own rules say nothing is removed.
            RunCloudSyncPlan noPrune = SavedPlan(app, new RunCloudPlannedDomain(3, "old.example.com"));
            noPrune.Prune = false;
            using (PreparedApply p = await PrepareSaved(connection, store, key, noPrune))
            {
                Assert.Equal(ErrorIds.InvalidPlan, p.Refusal?.ErrorId);
                Assert.Contains("prune", p.Refusal!.Message);
            }

            Assert.Empty(app.Mutations);

            // The honest plan applies.
            using (PreparedApply p = await PrepareSaved(connection, store, key, SavedPlan(app, new RunCloudPlannedDomain(3, "old.example.com"))))
            {
                Assert.Null(p.Refusal);
                AppSyncEngine.ApproveAll(p);
                AppOutcome outcome = await AppSyncEngine.ApplyAsync(p, new Host(), CancellationToken.None);
                Assert.Equal(new[] { "old.example.com" }, outcome.Removed);
            }
        }

        [Fact]
        public async Task EveryStepBoundaryIsObserved_InOrder()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new FakeApp(store.JournalPath(key), true, KeepAndOld);
            using RunCloudConnection connection = ClientFactory.Create(app);
            var steps = new List<string>();
            AppSyncEngine.StepObserver = s => { lock (steps) steps.Add(s); };
            try
            {
                await RunAll(Target(connection, key), Desired(Options(store), "keep.example.com", "new.example.com"), new Host());
            }
            finally
            {
                AppSyncEngine.StepObserver = null;
            }

            Assert.Equal(new[] { "locked", "listed", "journal written", "added new.example.com", "removed old.example.com", "ssl redeployed" }, steps);
        }
    }
}

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The engine's step observer is one static hook: the tests that set it run alone.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class StepObserverCollection
    {
        public const string Name = "AppSyncEngine.StepObserver";
    }
}
