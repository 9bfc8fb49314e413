using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Auth;
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
        public void StateKey_IsTheApiHostAndTheIds_WhateverTheCredential_AndNeverHoldsASecret()
        {
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            using RunCloudConnection basic = ClientFactory.Create(new HttpStub(), basic: true);
            using RunCloudConnection rotated = Connection("tok-ROTATED-0000111122223333");
            using RunCloudConnection v2 = Connection(ClientFactory.Token, "https://RC.test/api/v2/");
            AppStateKey a = Commands.StateKeys.For(token, 1, 2);
            Assert.Equal(a, Commands.StateKeys.For(token, 1, 2));
            Assert.NotEqual(a, Commands.StateKeys.For(token, 1, 3));
            Assert.NotEqual(a, Commands.StateKeys.For(token, 4, 2));
            // One app, one key: a token, key + secret, a rotated token, the other API version of the same host.
            Assert.Equal(a, Commands.StateKeys.For(basic, 1, 2));
            Assert.Equal(a, Commands.StateKeys.For(rotated, 1, 2));
            Assert.Equal(a, Commands.StateKeys.For(v2, 1, 2));
            Assert.Equal(a, token.StateKey(1, 2));
            Assert.Equal("rc.test-s1-w2", a.FileStem);
            Assert.Equal("rc.test", a.ApiHost);
            // The first format's name still differs per credential (it is how its files are found).
            Assert.NotEqual(a.LegacyFileStem, Commands.StateKeys.For(basic, 1, 2).LegacyFileStem);
            Assert.Matches("^[0-9a-f]{16}-s1-w2$", a.LegacyFileStem);
            foreach (string text in new[] { a.FileStem, a.LegacyFileStem!, Commands.StateKeys.For(basic, 1, 2).LegacyFileStem!, a.ToString() })
            {
                Assert.DoesNotContain(ClientFactory.Token, text);
                Assert.DoesNotContain(ClientFactory.ApiSecret, text);
                Assert.DoesNotContain(ClientFactory.Token.Substring(4, 10), text);
            }
        }

        [Theory]
        [InlineData("https://manage.runcloud.io/api/v3/", "manage.runcloud.io", "manage.runcloud.io-s7-w8")]
        [InlineData("https://MANAGE.RunCloud.io:443/api/v2", "manage.runcloud.io", "manage.runcloud.io-s7-w8")]
        [InlineData("http://127.0.0.1:49152/api/v3/", "127.0.0.1:49152", "127.0.0.1+49152-s7-w8")]
        [InlineData("https://[::1]:8443/api/v3/", "[::1]:8443", "[++1]+8443-s7-w8")]
        [InlineData("https://bücher.example.com/api/v3/", "xn--bcher-kva.example.com", "xn--bcher-kva.example.com-s7-w8")]
        public void StateKey_ApiHost_IsTheHostAndAPortThatIsNotTheDefault_InAFileNameEveryOsTakes(string root, string host, string stem)
        {
            AppStateKey key = AppStateKey.For(new Uri(root), 7, 8);
            Assert.Equal(host, key.ApiHost);
            Assert.Equal(stem, key.FileStem);
            Assert.Equal(-1, key.FileStem.IndexOfAny(new[] { ':', '/', '\\', '*', '?', '"', '<', '>', '|' }));
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
            j.SetExtension("ssl", new JObject { ["notDnsReady"] = new JArray("late.example.com") });
            store.Save(key, j, now);

            // A newer module wrote a field this one does not know: it must survive a rewrite.
            string path = store.JournalPath(key);
            JObject raw = JObject.Parse(File.ReadAllText(path));
            Assert.Equal(2, (int)raw["version"]!);
            Assert.Equal("00aa11bb22cc33dd", (string)raw["apiHost"]!);
            raw["futureField"] = new JArray(1, 2);
            File.WriteAllText(path, raw.ToString());

            AppJournal back = store.Load(key)!;
            Assert.Equal(new[] { "shop.example.com" }, back.PendingAdds);
            Assert.Equal(7, back.PendingRemovals.Single().Id);
            Assert.True(back.SslRedeployPending);
            Assert.Equal("added shop.example.com", back.SslReason);
            Assert.Equal("late.example.com", (string)back.GetExtension("ssl", o => o)!["notDnsReady"]![0]!);
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
        [InlineData("{\"version\":3,\"apiHost\":\"abc\",\"serverId\":1,\"webAppId\":1}", "newer")]
        [InlineData("{\"version\":2,\"apiHost\":\"abc\",\"serverId\":1,\"webAppId\":1", "not valid")]
        [InlineData("{\"version\":2,\"apiHost\":\"abc\",\"serverId\":9,\"webAppId\":1}", "does not describe")]
        [InlineData("{\"version\":2,\"apiHost\":\"other.example\",\"serverId\":1,\"webAppId\":1}", "does not describe")]
        [InlineData("{\"apiHost\":\"abc\",\"serverId\":1,\"webAppId\":1}", "not valid")]
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

        // ---- State keyed by the account's API host, not the credential; the first format's state is taken over ----

        [Fact]
        public void OwedWork_SurvivesATokenRotation_AndASwitchBetweenTokenAndKeyAndSecret()
        {
            var store = new JournalStore(UnixTestFiles.PrivateFolder());
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            using RunCloudConnection basic = ClientFactory.Create(new HttpStub(), basic: true);
            using RunCloudConnection rotated = Connection("tok-ROTATED-0000111122223333");
            AppStateKey written = Commands.StateKeys.For(token, 1001, 2001);
            AppJournal j = AppJournal.For(written, token.BaseUri.AbsoluteUri, DateTime.UtcNow);
            j.PendingAdds.Add("shop.example.com");
            j.OweSslRedeploy("added shop.example.com");
            store.Save(written, j, DateTime.UtcNow);

            foreach (RunCloudConnection later in new[] { rotated, basic })
            {
                AppJournal? found = store.Load(Commands.StateKeys.For(later, 1001, 2001));
                Assert.NotNull(found);
                Assert.True(found!.SslRedeployPending);
                Assert.Equal(new[] { "shop.example.com" }, found.PendingAdds);
            }
        }

        [Fact]
        public void TwoCredentialsForOneApp_SerialiseOnOneLock()
        {
            var store = new JournalStore(UnixTestFiles.PrivateFolder());
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            using RunCloudConnection basic = ClientFactory.Create(new HttpStub(), basic: true);
            using (store.Lock(Commands.StateKeys.For(token, 1001, 2001), TimeSpan.Zero, CancellationToken.None, "Sync-RunCloudDomain"))
            {
                var ex = Assert.Throws<AppLockedException>(() => store.Lock(Commands.StateKeys.For(basic, 1001, 2001), TimeSpan.Zero, CancellationToken.None));
                Assert.Contains("Sync-RunCloudDomain", ex.Message);
            }

            using (store.Lock(Commands.StateKeys.For(basic, 1001, 2001), TimeSpan.Zero, CancellationToken.None)) { }
        }

        [Fact]
        public void FirstFormatJournal_OfThisCredential_IsSeen_AndTakenOverUnderTheLock()
        {
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            AppStateKey key = Commands.StateKeys.For(token, 1001, 2001);
            // Written exactly as the first format did: named by the credential's fingerprint, no API host, version 1.
            string legacy = WriteLegacyJournal(folder, key.LegacyAccount!, 1001, 2001, baseUri: null, "shop.example.com");

            AppJournal seen = store.Load(key)!;
            Assert.Equal(new[] { "shop.example.com" }, seen.PendingAdds);
            Assert.True(seen.SslRedeployPending);
            Assert.True(File.Exists(legacy), "a read without the lock changes no file");

            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None))
            {
                Assert.False(File.Exists(legacy));
                JObject raw = JObject.Parse(File.ReadAllText(store.JournalPath(key)));
                Assert.Equal(2, (int)raw["version"]!);
                Assert.Equal("rc.test", (string)raw["apiHost"]!);
                Assert.Null(raw["account"]);
                AppJournal taken = store.Load(key)!;
                Assert.Equal(new[] { "shop.example.com" }, taken.PendingAdds);
                Assert.Equal("added shop.example.com", taken.SslReason);
                Assert.Equal(new DateTime(2025, 5, 1, 0, 0, 0, DateTimeKind.Utc), taken.CreatedAt);
            }
        }

        [Fact]
        public void FirstFormatJournals_OfOtherCredentialsOfTheSameHost_AreMergedIn_AnotherHostsAreLeftAlone()
        {
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            AppStateKey key = Commands.StateKeys.For(token, 1001, 2001);
            // A token rotated before the upgrade, and the key + secret of the same account: both left owed work.
            string old1 = WriteLegacyJournal(folder, "0123456789abcdef", 1001, 2001, "https://rc.test/api/v3/", "a.example.com");
            string old2 = WriteLegacyJournal(folder, "fedcba9876543210", 1001, 2001, "https://RC.test/api/v2/", "b.example.com");
            // The same ids under another API host (an emulator on this machine) are not this app.
            string other = WriteLegacyJournal(folder, "00000000ffffffff", 1001, 2001, "http://127.0.0.1:5000/api/v3/", "c.example.com");
            // The app's current journal already owes something too.
            AppJournal current = AppJournal.For(key, token.BaseUri.AbsoluteUri, DateTime.UtcNow);
            current.PendingAdds.Add("a.example.com");
            current.PendingRemovals.Add(new JournalDomain { Id = 9, Name = "old.example.com" });
            store.Save(key, current, DateTime.UtcNow);

            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None))
            {
                AppJournal merged = store.Load(key)!;
                Assert.Equal(new[] { "a.example.com", "b.example.com" }, merged.PendingAdds);
                Assert.Equal(9, merged.PendingRemovals.Single().Id);
                Assert.True(merged.SslRedeployPending);
                Assert.False(File.Exists(old1));
                Assert.False(File.Exists(old2));
                Assert.True(File.Exists(other));
            }
        }

        [Fact]
        public void ATakeOverCutAfterItsWrite_Converges_NothingTwice()
        {
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            AppStateKey key = Commands.StateKeys.For(token, 1001, 2001);
            string legacy = WriteLegacyJournal(folder, key.LegacyAccount!, 1001, 2001, null, "shop.example.com");
            // The state a crash leaves between the merged write and the delete: both files, the same work in each.
            store.Save(key, store.Load(key)!, DateTime.UtcNow);
            Assert.True(File.Exists(legacy));

            AppJournal seen = store.Load(key)!;
            Assert.Equal(new[] { "shop.example.com" }, seen.PendingAdds);
            Assert.Equal("added shop.example.com", seen.SslReason);
            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None)) { }
            Assert.False(File.Exists(legacy));
            Assert.Equal(new[] { "shop.example.com" }, store.Load(key)!.PendingAdds);
        }

        [Fact]
        public void FirstFormatLock_HeldByALiveRun_IsHeld()
        {
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            using RunCloudConnection basic = ClientFactory.Create(new HttpStub(), basic: true);
            AppStateKey key = Commands.StateKeys.For(token, 1001, 2001);
            string oldLock = Path.Combine(folder, key.LegacyFileStem + ".lock");
            // An older module's run holds the lock it named after this credential.
            using (AppLock old = AppLock.Acquire(folder, oldLock, key, TimeSpan.Zero, CancellationToken.None, "Sync-RunCloudDomain (older module)"))
            {
                var ex = Assert.Throws<AppLockedException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
                Assert.Contains(oldLock, ex.Message);
                Assert.Contains("older module", ex.Message);
                // The new lock was released with the refusal: a run under another credential is not blocked by a leftover.
                using (store.Lock(Commands.StateKeys.For(basic, 1001, 2001), TimeSpan.Zero, CancellationToken.None)) { }
            }

            // An older run under ANOTHER credential that left a journal of this app: its lock is found through the journal.
            string otherLock = Path.Combine(folder, AppStateKey.LegacyStem("0123456789abcdef", 1001, 2001) + ".lock");
            WriteLegacyJournal(folder, "0123456789abcdef", 1001, 2001, "https://rc.test/api/v3/", "a.example.com");
            using (AppLock old = AppLock.Acquire(folder, otherLock, key, TimeSpan.Zero, CancellationToken.None, "older"))
            {
                Assert.Throws<AppLockedException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
            }

            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None))
            {
                Assert.Equal(new[] { "a.example.com" }, store.Load(key)!.PendingAdds);
            }
        }

        [Fact]
        public void FirstFormatJournal_ThatDoesNotMatchItsName_StopsTheRun_AndIsLeftAlone()
        {
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            using RunCloudConnection token = ClientFactory.Create(new HttpStub());
            AppStateKey key = Commands.StateKeys.For(token, 1001, 2001);
            string legacy = WriteLegacyJournal(folder, key.LegacyAccount!, 1001, 2001, null, "shop.example.com");
            File.WriteAllText(legacy, File.ReadAllText(legacy).Replace("2001", "2002"));
            var ex = Assert.Throws<StateException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(JournalStore.CorruptErrorId, ex.ErrorId);
            Assert.Contains(legacy, ex.Message);
            Assert.True(File.Exists(legacy));
            using (store.Lock(Commands.StateKeys.For(token, 1001, 2003), TimeSpan.Zero, CancellationToken.None)) { }
        }

        // ---- The state folder is the user's own; no state file is read or written through a link ----

        [Fact]
        public void StateFolder_TheModuleCreates_Is0700_AndSoIsEachFolderItCreatesAboveIt()
        {
            if (UnixTestFiles.IsWindows) return;
            string root = UnixTestFiles.PrivateFolder();
            string home = Path.Combine(root, "state-home");
            string folder = Path.Combine(home, "RunCloud.PowerShell");
            var store = new JournalStore(folder, home);
            using (store.Lock(new AppStateKey("abc", 1, 2), TimeSpan.Zero, CancellationToken.None)) { }
            Assert.Equal(0x1C0, UnixTestFiles.Mode(home));
            Assert.Equal(0x1C0, UnixTestFiles.Mode(folder));
        }

        [Theory]
        [InlineData(0x1FF, "writable by its group and by others")] // 0777
        [InlineData(0x1F8, "writable by its group")]                // 0770
        [InlineData(0x1C2, "writable by others")]                   // 0702
        public void StateFolder_WritableByOthers_IsRefused_NamingItsModeAndTheFix_BeforeAnyRead(int mode, string phrase)
        {
            if (UnixTestFiles.IsWindows) return;
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            var key = new AppStateKey("abc", 1, 2);
            AppJournal j = AppJournal.For(key, null, DateTime.UtcNow);
            j.OweSslRedeploy("x");
            store.Save(key, j, DateTime.UtcNow);
            UnixTestFiles.Chmod(folder, mode);

            foreach (Action use in new Action[]
            {
                () => store.Load(key),
                () => store.Save(key, j, DateTime.UtcNow),
                () => store.Lock(key, TimeSpan.Zero, CancellationToken.None).Dispose(),
            })
            {
                var ex = Assert.Throws<StateException>(use);
                Assert.Equal(StateFolder.UnsafeErrorId, ex.ErrorId);
                Assert.Contains(folder, ex.Message);
                Assert.Contains(phrase, ex.Message);
                Assert.Contains(UnixFiles.Octal(mode), ex.Message);
                Assert.Contains($"chmod 700 '{folder}'", ex.Message);
                Assert.Contains("RUNCLOUD_STATE_PATH", ex.Message);
            }

            UnixTestFiles.Chmod(folder, 0x1C0);
            Assert.NotNull(store.Load(key));
        }

        [Fact]
        public void StateFolder_OwnedByAnotherUser_IsRefused_AndSoIsAStateHomeOthersCanWrite()
        {
            if (UnixTestFiles.IsWindows) return;
            string folder = UnixTestFiles.PrivateFolder();
            UnixTestFiles.Chown(folder, 4242);
            var ex = Assert.Throws<StateException>(() => new JournalStore(folder).Lock(new AppStateKey("abc", 1, 2), TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(StateFolder.UnsafeErrorId, ex.ErrorId);
            Assert.Contains("owned by user id 4242", ex.Message);
            Assert.Contains("chown", ex.Message);

            string home = UnixTestFiles.PrivateFolder();
            UnixTestFiles.Chmod(home, 0x1FF);
            var store = new JournalStore(Path.Combine(home, "RunCloud.PowerShell"), home);
            ex = Assert.Throws<StateException>(() => store.Lock(new AppStateKey("abc", 1, 2), TimeSpan.Zero, CancellationToken.None));
            Assert.Contains(home, ex.Message);
            Assert.Contains("0777", ex.Message);
            Assert.False(Directory.Exists(store.Folder), "nothing is created under a state home others can write");
        }

        [Fact]
        public void LockOwnerFile_APlantedLink_IsRefused_AndItsTargetIsNeverWritten()
        {
            if (UnixTestFiles.IsWindows) return;
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            var key = new AppStateKey("abc", 1, 2);
            string victim = Path.Combine(UnixTestFiles.PrivateFolder(), "authorized_keys");
            File.WriteAllText(victim, "ssh-ed25519 AAAA precious");
            UnixTestFiles.Symlink(victim, store.LockPath(key) + ".owner");

            var ex = Assert.Throws<StateException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None, "Sync-RunCloudDomain"));
            Assert.Equal(StateFolder.UnsafeErrorId, ex.ErrorId);
            Assert.Contains(store.LockPath(key) + ".owner", ex.Message);
            Assert.Contains("link", ex.Message);
            Assert.Equal("ssh-ed25519 AAAA precious", File.ReadAllText(victim));
            Assert.True(UnixFiles.IsSymbolicLink(store.LockPath(key) + ".owner"), "the link is left for the operator to look at");
            // Refused until the link is gone; the refusal released the lock, so then the next run takes it at once.
            Assert.Throws<StateException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
            File.Delete(store.LockPath(key) + ".owner");
            using (store.Lock(key, TimeSpan.Zero, CancellationToken.None, "Sync-RunCloudDomain"))
            {
                Assert.False(UnixFiles.IsSymbolicLink(store.LockPath(key) + ".owner"));
                Assert.StartsWith("Sync-RunCloudDomain (process ", File.ReadAllText(store.LockPath(key) + ".owner"));
            }

            Assert.False(File.Exists(store.LockPath(key) + ".owner"));
        }

        [Fact]
        public void LockFile_APlantedLink_IsRefused()
        {
            if (UnixTestFiles.IsWindows) return;
            var store = new JournalStore(UnixTestFiles.PrivateFolder());
            var key = new AppStateKey("abc", 1, 2);
            string victim = Path.Combine(UnixTestFiles.PrivateFolder(), "victim");
            File.WriteAllText(victim, "keep");
            UnixTestFiles.Symlink(victim, store.LockPath(key));
            var ex = Assert.Throws<StateException>(() => store.Lock(key, TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(StateFolder.UnsafeErrorId, ex.ErrorId);
            Assert.Contains(store.LockPath(key), ex.Message);
            Assert.Equal("keep", File.ReadAllText(victim));
        }

        [Fact]
        public void Journal_APlantedLink_IsNeitherReadNorWrittenThrough()
        {
            if (UnixTestFiles.IsWindows) return;
            var store = new JournalStore(UnixTestFiles.PrivateFolder());
            var key = new AppStateKey("abc", 1, 2);
            string victim = Path.Combine(UnixTestFiles.PrivateFolder(), "victim.json");
            File.WriteAllText(victim, "{\"version\":2,\"apiHost\":\"abc\",\"serverId\":1,\"webAppId\":2,\"pendingRemovals\":[{\"id\":5,\"name\":\"shop.example.com\"}]}");
            UnixTestFiles.Symlink(victim, store.JournalPath(key));
            Assert.Equal(StateFolder.UnsafeErrorId, Assert.Throws<StateException>(() => store.Load(key)).ErrorId);
            AppJournal j = AppJournal.For(key, null, DateTime.UtcNow);
            j.OweSslRedeploy("x");
            Assert.Equal(StateFolder.UnsafeErrorId, Assert.Throws<StateException>(() => store.Save(key, j, DateTime.UtcNow)).ErrorId);
            Assert.Contains("pendingRemovals", File.ReadAllText(victim));
        }

        [Fact]
        public void JournalTempFile_APlantedLink_IsNeverFollowed()
        {
            if (UnixTestFiles.IsWindows) return;
            var store = new JournalStore(UnixTestFiles.PrivateFolder());
            var key = new AppStateKey("abc", 1, 2);
            string victim = Path.Combine(UnixTestFiles.PrivateFolder(), "victim");
            File.WriteAllText(victim, "keep");
            string temp = store.JournalPath(key) + ".planted.tmp";
            UnixTestFiles.Symlink(victim, temp);
            store.TempPathFor = _ => temp;
            AppJournal j = AppJournal.For(key, null, DateTime.UtcNow);
            j.OweSslRedeploy("x");
            Assert.Throws<StateException>(() => store.Save(key, j, DateTime.UtcNow));
            Assert.Equal("keep", File.ReadAllText(victim));
            Assert.True(UnixFiles.IsSymbolicLink(temp), "the planted link is not removed by the failed save");
            Assert.False(File.Exists(store.JournalPath(key)));
        }

        [Fact]
        public void AWaitingRun_NeverShowsWhatALinkedOwnerFilePointsAt()
        {
            if (UnixTestFiles.IsWindows) return;
            string folder = UnixTestFiles.PrivateFolder();
            var store = new JournalStore(folder);
            var key = new AppStateKey("abc", 1, 2);
            string secret = Path.Combine(UnixTestFiles.PrivateFolder(), "shadow");
            File.WriteAllText(secret, "root:$6$SECRETHASH");
            using (new FileStream(store.LockPath(key), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                UnixTestFiles.Symlink(secret, store.LockPath(key) + ".owner");
                var ex = Assert.Throws<AppLockedException>(() => AppLock.Acquire(folder, store.LockPath(key), key, TimeSpan.Zero, CancellationToken.None, null));
                Assert.DoesNotContain("SECRETHASH", ex.Message);
                Assert.Contains("owner file is a link", ex.Message);
            }
        }

        private static string WriteLegacyJournal(string folder, string account, long serverId, long webAppId, string? baseUri, params string[] adds)
        {
            var o = new JObject
            {
                ["version"] = 1,
                ["account"] = account,
                ["serverId"] = serverId,
                ["webAppId"] = webAppId,
                ["createdAt"] = "2025-05-01T00:00:00Z",
                ["updatedAt"] = "2025-05-01T00:00:05Z",
                ["writtenBy"] = "Sync-RunCloudDomain",
                ["pendingAdds"] = new JArray(adds),
                ["pendingRemovals"] = new JArray(),
                ["sslRedeployPending"] = true,
                ["sslReason"] = "added " + adds[0],
                ["sslDomains"] = new JArray(),
                ["extensions"] = new JObject(),
            };
            if (baseUri != null) o["baseUri"] = baseUri;
            string path = Path.Combine(folder, AppStateKey.LegacyStem(account, serverId, webAppId) + ".json");
            File.WriteAllText(path, o.ToString());
            return path;
        }

        private static RunCloudConnection Connection(string token, string root = "https://rc.test/api/v3/") =>
            new RunCloudConnection(new Uri(root), "v3", RunCloudCredential.ForToken(SecureText.FromPlain(token)), "test", ClientFactory.FastRetry(), 0,
                TimeSpan.FromMinutes(1), null, new HttpStub());

        private sealed class HttpStub : System.Net.Http.HttpMessageHandler
        {
            protected override System.Threading.Tasks.Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken) =>
                throw new InvalidOperationException("no request expected");
        }
    }
}
