using System;
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
    /// <summary>The executor journals before the first change and clears only after SSL succeeded; no PowerShell involved.</summary>
    public class SyncExecutorTests
    {
        private sealed class Host : ISyncHost
        {
            public List<string> Warnings { get; } = new List<string>();

            public T Run<T>(Func<CancellationToken, Task<T>> work) => work(CancellationToken.None).GetAwaiter().GetResult();

            public bool Confirm(string target, string action) => true;

            public void Verbose(string text)
            {
            }

            public void Warning(string text) => Warnings.Add(text);

            public void Progress(string status, int done, int total)
            {
            }
        }

        /// <summary>An app with a certificate; records, for every change, whether the journal file existed when it arrived.</summary>
        private sealed class App : HttpMessageHandler
        {
            private readonly string _journal;
            private readonly bool _failPut;

            public App(string journal, bool failPut)
            {
                _journal = journal;
                _failPut = failPut;
            }

            public List<(string Request, bool JournalExisted)> Changes { get; } = new List<(string, bool)>();

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string path = request.RequestUri!.AbsolutePath.Replace("/api/v3/", string.Empty);
                if (request.Method != HttpMethod.Get) Changes.Add((request.Method.Method + " " + path, File.Exists(_journal)));
                if (request.Method == HttpMethod.Get && path.EndsWith("/ssl", StringComparison.Ordinal))
                    return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"id\":5,\"method\":\"letsencrypt\"}"));
                if (request.Method == HttpMethod.Post)
                    return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"id\":77,\"name\":\"new.example.com\",\"type\":\"alias\"}"));
                if (request.Method == HttpMethod.Put && _failPut)
                    return Task.FromResult(ClientFactory.Json(HttpStatusCode.InternalServerError, "{\"message\":\"Server Error\"}"));
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}"));
            }
        }

        /// <summary>
        /// Issue 14 (merge): the SSL step goes through the SSL strategy, which checks DNS readiness first; the fake's
        /// names do not resolve, so these tests about the journal skip that check as an operator would (-SkipDnsCheck).
        /// </summary>
        /// <summary>
        /// Issue 14 (merge): nothing is owed any more. The journal may remain for the SSL strategy's own record (its "ssl"
        /// extension counts Let's Encrypt orders for the duplicate-certificate budget), so "cleared" means no owed work.
        /// </summary>
        private static void AssertNothingOwed(AppJournal? journal)
        {
            if (journal == null) return;
            Assert.Empty(journal.PendingAdds);
            Assert.Empty(journal.PendingRemovals);
            Assert.False(journal.SslRedeployPending);
            Assert.Empty(journal.SslDomains);
            Assert.Null(journal.SslReinstall);
            Assert.All(journal.Extensions.Properties(), p => Assert.Equal("ssl", p.Name));
        }

        private static SyncRunOptions Options() => new SyncRunOptions { Ssl = new SslOptions { SkipDnsCheck = true } };

        private static SyncPlan Plan() => SyncPlanner.Plan(new[] { new DesiredEntry("keep.example.com"), new DesiredEntry("new.example.com") },
            new[]
            {
                RunCloudDomain.FromJson(JObject.Parse("{\"id\":1,\"name\":\"keep.example.com\",\"type\":\"primary\"}"), 1, 2),
                RunCloudDomain.FromJson(JObject.Parse("{\"id\":3,\"name\":\"old.example.com\",\"type\":\"alias\"}"), 1, 2),
            },
            new SyncOptions { Prune = true });

        [Fact]
        public void JournalIsWrittenBeforeTheFirstChange_AndClearedOnlyAfterTheRedeploy()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var app = new App(store.JournalPath(key), failPut: false);
            using RunCloudConnection connection = ClientFactory.Create(app);
            var executor = new SyncExecutor(connection.CreateService(), 1, 2, store, key, "https://rc.test/api/v3/", new Host());
            SyncOutcome outcome = executor.Execute(Plan(), Options());

            Assert.Equal(new[] { "POST servers/1/webapps/2/domains", "DELETE servers/1/webapps/2/domains/3", "PUT servers/1/webapps/2/ssl/5" }, app.Changes.Select(c => c.Request));
            Assert.All(app.Changes, c => Assert.True(c.JournalExisted, c.Request + " was sent before the journal existed"));
            Assert.True(outcome.SslRedeployed);
            AssertNothingOwed(store.Load(key));
        }

        [Fact]
        public void AFailedRedeploy_StaysOwed_AndTheNextRunFinishesIt_SayingSo()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abcdef", 1, 2);
            var failing = new App(store.JournalPath(key), failPut: true);
            using (RunCloudConnection connection = ClientFactory.Create(failing, ClientFactory.FastRetry(1)))
            {
                SyncOutcome first = new SyncExecutor(connection.CreateService(), 1, 2, store, key, null, new Host()).Execute(Plan(), Options());
                Assert.Contains(first.Failed, f => f.Action == "RedeploySsl" && f.Message.IndexOf("journal", StringComparison.Ordinal) >= 0);
            }

            AppJournal owed = store.Load(key)!;
            Assert.True(owed.SslRedeployPending);
            Assert.Empty(owed.PendingAdds);
            Assert.Empty(owed.PendingRemovals);
            Assert.Equal("new.example.com", Assert.Single(owed.SslDomains).Name);

            // Nothing left to change: the next run redeploys only because the journal says so.
            var ok = new App(store.JournalPath(key), failPut: false);
            var host = new Host();
            using RunCloudConnection again = ClientFactory.Create(ok);
            SyncPlan nothing = SyncPlanner.Plan(new[] { new DesiredEntry("keep.example.com") },
                new[] { RunCloudDomain.FromJson(JObject.Parse("{\"id\":1,\"name\":\"keep.example.com\",\"type\":\"primary\"}"), 1, 2) }, new SyncOptions());
            SyncOutcome second = new SyncExecutor(again.CreateService(), 1, 2, store, key, null, host).Execute(nothing, Options());
            Assert.True(second.SslRedeployed);
            Assert.NotEmpty(second.FinishedPending);
            Assert.Contains(host.Warnings, w => w.IndexOf("left work unfinished", StringComparison.Ordinal) >= 0);
            Assert.Equal(new[] { "PUT servers/1/webapps/2/ssl/5" }, ok.Changes.Select(c => c.Request));
            AssertNothingOwed(store.Load(key));
        }
    }
}
