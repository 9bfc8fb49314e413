using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The durable per-app state: folder resolution, keys, the journal's atomic format, the cross-process lock.</summary>
    public class StateTests
    {
        private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
            name => vars.FirstOrDefault(v => v.Name == name).Value;

        private static readonly string Root = Path.GetPathRoot(Path.GetTempPath())!;

        [Fact]
        public void StateFolder_OverrideWins_Everywhere()
        {
            string over = Path.Combine(Root, "srv", "rc-state");
            Assert.Equal(over, StateFolder.Resolve(Env(("RUNCLOUD_STATE_PATH", over), ("LOCALAPPDATA", Path.Combine(Root, "l")), ("XDG_STATE_HOME", Path.Combine(Root, "x"))), true, Path.Combine(Root, "h")));
            Assert.Equal(over, StateFolder.Resolve(Env(("RUNCLOUD_STATE_PATH", over), ("XDG_STATE_HOME", Path.Combine(Root, "x"))), false, Path.Combine(Root, "h")));
        }

        [Fact]
        public void StateFolder_FollowsEachPlatformsConvention()
        {
            string home = Path.Combine(Root, "home", "ops");
            Assert.Equal(Path.Combine(Root, "l", "RunCloud.PowerShell"), StateFolder.Resolve(Env(("LOCALAPPDATA", Path.Combine(Root, "l"))), true, home));
            Assert.Equal(Path.Combine(Root, "x", "RunCloud.PowerShell"), StateFolder.Resolve(Env(("XDG_STATE_HOME", Path.Combine(Root, "x"))), false, home));
            Assert.Equal(Path.Combine(home, ".local", "state", "RunCloud.PowerShell"), StateFolder.Resolve(Env(), false, home));
            // XDG says a relative XDG_STATE_HOME is invalid and is ignored.
            Assert.Equal(Path.Combine(home, ".local", "state", "RunCloud.PowerShell"), StateFolder.Resolve(Env(("XDG_STATE_HOME", "rel/dir")), false, home));
        }

        [Fact]
        public void StateFolder_RelativeOverrideOrNoHome_IsAClearError()
        {
            var relative = Assert.Throws<StateException>(() => StateFolder.Resolve(Env(("RUNCLOUD_STATE_PATH", "state")), false, "/home/x"));
            Assert.Contains("RUNCLOUD_STATE_PATH", relative.Message);
            Assert.Contains("absolute", relative.Message);
            var noHome = Assert.Throws<StateException>(() => StateFolder.Resolve(Env(), false, null));
            Assert.Contains("RUNCLOUD_STATE_PATH", noHome.Message);
        }

        [Fact]
        public void StateKey_PerAccountServerAndApp_NeverContainsTheSecret()
        {
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            using RunCloudConnection basic = ClientFactory.Create(new HttpStub(), basic: true);
            AppStateKey a = Commands.StateKeys.For(token, 1, 2);
            Assert.Equal(a, Commands.StateKeys.For(token, 1, 2));
            Assert.NotEqual(a, Commands.StateKeys.For(token, 1, 3));
            Assert.NotEqual(a, Commands.StateKeys.For(token, 4, 2));
            Assert.NotEqual(a.Account, Commands.StateKeys.For(basic, 1, 2).Account);
            foreach (string text in new[] { a.FileStem, Commands.StateKeys.For(basic, 1, 2).FileStem, a.ToString() })
            {
                Assert.DoesNotContain(ClientFactory.Token, text);
                Assert.DoesNotContain(ClientFactory.ApiSecret, text);
                Assert.DoesNotContain(ClientFactory.Token.Substring(4, 10), text);
            }

            Assert.Matches("^[0-9a-f]{16}-s1-w2$", a.FileStem);
        }

        [Fact]
        public void Journal_RoundTrips_KeepsExtensionsAndUnknownFields_AndLeavesNoTempFile()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("00aa11bb22cc33dd", 10, 20);
            var now = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            AppJournal j = AppJournal.For(key, "https://rc.test/api/v3/", now);
            j.PendingAdds.Add("shop.example.com");
            j.PendingRemovals.Add(new JournalDomain { Id = 7, Name = "old.example.com" });
            j.OweSslRedeploy("added shop.example.com");
            j.SetExtension("ssl", new { notDnsReady = new[] { "late.example.com" } });
            store.Save(key, j, now);

            // A newer module wrote a field this one does not know: it must survive a rewrite.
            string path = store.JournalPath(key);
            JObject raw = JObject.Parse(File.ReadAllText(path));
            Assert.Equal(1, (int)raw["version"]!);
            raw["futureField"] = new JArray(1, 2);
            File.WriteAllText(path, raw.ToString());

            AppJournal back = store.Load(key)!;
            Assert.Equal(new[] { "shop.example.com" }, back.PendingAdds);
            Assert.Equal(7, back.PendingRemovals.Single().Id);
            Assert.True(back.SslRedeployPending);
            Assert.Equal("added shop.example.com", back.SslReason);
            Assert.Equal("late.example.com", (string)back.GetExtension<JObject>("ssl")!["notDnsReady"]![0]!);
            store.Save(key, back, now.AddMinutes(1));
            Assert.Equal(new JArray(1, 2), JObject.Parse(File.ReadAllText(path))["futureField"]);
            Assert.Equal(new[] { path }, Directory.GetFiles(store.Folder));
        }

        [Fact]
        public void Journal_SavedEmpty_IsDeleted_AndMissingLoadsAsNull()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abc", 1, 1);
            AppJournal j = AppJournal.For(key, null, DateTime.UtcNow);
            j.OweSslRedeploy("x");
            store.Save(key, j, DateTime.UtcNow);
            Assert.True(File.Exists(store.JournalPath(key)));
            j.SslRedeployPending = false;
            j.SslReason = null;
            store.Save(key, j, DateTime.UtcNow);
            Assert.False(File.Exists(store.JournalPath(key)));
            Assert.Null(store.Load(key));
        }

        [Theory]
        [InlineData("{\"version\":2,\"account\":\"abc\",\"serverId\":1,\"webAppId\":1}", "newer")]
        [InlineData("{\"version\":1,\"account\":\"abc\",\"serverId\":1,\"webAppId\":1", "not valid")]
        [InlineData("{\"version\":1,\"account\":\"abc\",\"serverId\":9,\"webAppId\":1}", "does not describe")]
        [InlineData("{\"account\":\"abc\",\"serverId\":1,\"webAppId\":1}", "not valid")]
        public void Journal_Unreadable_IsAnErrorNamingTheFile_AndIsLeftAlone(string content, string expected)
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abc", 1, 1);
            File.WriteAllText(store.JournalPath(key), content);
            var ex = Assert.Throws<StateException>(() => store.Load(key));
            Assert.Equal(JournalStore.CorruptErrorId, ex.ErrorId);
            Assert.Contains(store.JournalPath(key), ex.Message);
            Assert.Contains(expected, ex.Message);
            Assert.Equal(content, File.ReadAllText(store.JournalPath(key)));
        }

        [Fact]
        public void Lock_HeldElsewhere_FailsAfterTheTimeout_WithADistinctErrorId()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abc", 1, 2);
            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None, "Sync-RunCloudDomain"))
            {
                // A fake clock: every wait advances it, so the timeout is reached without real time passing.
                TimeSpan fake = TimeSpan.Zero;
                var waits = new List<TimeSpan>();
                var ex = Assert.Throws<AppLockedException>(() => AppLock.Acquire(store.Folder, store.LockPath(key), key, TimeSpan.FromSeconds(1), CancellationToken.None, null,
                    (span, _) => { waits.Add(span); fake += span; }, () => fake));
                Assert.Equal("RunCloudAppLocked", ex.ErrorId);
                Assert.Contains("Sync-RunCloudDomain", ex.Message);
                Assert.Contains("Nothing was changed", ex.Message);
                Assert.Equal(TimeSpan.FromSeconds(1), waits.Aggregate(TimeSpan.Zero, (a, b) => a + b));
            }

            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None)) { }
        }

        [Fact]
        public void Lock_WaitsForTheHolder_ThenTakesIt()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            var key = new AppStateKey("abc", 1, 3);
            AppLock first = store.Lock(key, TimeSpan.Zero, CancellationToken.None);
            TimeSpan fake = TimeSpan.Zero;
            int waits = 0;
            using AppLock second = AppLock.Acquire(store.Folder, store.LockPath(key), key, TimeSpan.FromMinutes(1), CancellationToken.None, null,
                (span, _) => { fake += span; if (++waits == 3) first.Dispose(); }, () => fake);
            Assert.Equal(3, waits);
            Assert.Throws<AppLockedException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
        }

        [Fact]
        public void Lock_OtherAppsAreIndependent()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            using (store.Lock(new AppStateKey("abc", 1, 4), TimeSpan.Zero, CancellationToken.None))
            using (store.Lock(new AppStateKey("abc", 1, 5), TimeSpan.Zero, CancellationToken.None))
            using (store.Lock(new AppStateKey("abd", 1, 4), TimeSpan.Zero, CancellationToken.None))
            {
            }
        }

        private sealed class HttpStub : System.Net.Http.HttpMessageHandler
        {
            protected override System.Threading.Tasks.Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken) =>
                throw new InvalidOperationException("no request expected");
        }
    }
}
