using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// How a sync decides to read the app before any call (ChangeDetector, DesiredFingerprint): unchanged = no call,
    /// a few changed names = searches, otherwise (or when due, owed, changed outside, options changed) the full listing.
    /// </summary>
    public class ChangeDetectionTests
    {
        private static readonly DateTime Now = new DateTime(2031, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        private static readonly AppStateKey Key = new AppStateKey("manage.runcloud.io", 1001, 2001);

        private static List<DesiredEntry> E(params string[] names) => names.Select(n => new DesiredEntry(n)).ToList();

        private static List<string> Names(int n, string prefix = "site") => Enumerable.Range(1, n).Select(i => $"{prefix}{i:d4}.example.com").ToList();

        private static AppRunOptions Run(bool full = false, bool resetSsl = false, bool www = false) =>
            new AppRunOptions { ChangeDetection = true, Full = full, ResetSsl = resetSsl, Www = www };

        /// <summary>The record of each journal the tests made (the journal holds its metadata; the lists live beside it).</summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AppJournal, SyncRecord> Records = new System.Runtime.CompilerServices.ConditionalWeakTable<AppJournal, SyncRecord>();

        /// <summary>A journal holding the record of a clean sync of <paramref name="desired"/> (the app = those names and a primary), listed in full at <paramref name="listedAt"/>.</summary>
        private static AppJournal Recorded(IReadOnlyList<DesiredEntry> desired, SyncOptions guards, AppRunOptions run, DateTime listedAt, IEnumerable<string>? onApp = null)
        {
            DesiredFingerprint fp = DesiredFingerprint.Compute(desired, guards, run);
            var record = new SyncRecord
            {
                Fingerprint = fp.Whole,
                OptionsFingerprint = fp.Options,
                RecordedAt = listedAt,
                SourceSince = listedAt.AddDays(-3),
                FullReconcileAt = listedAt,
                Desired = fp.Entries,
                Domains = (onApp ?? desired.Select(d => d.Raw)).Select((n, i) => new SyncRecordDomain { Id = 100 + i, Name = n })
                    .Append(new SyncRecordDomain { Id = 1, Name = "main.example.com", Type = "primary" }).ToList(),
            };
            AppJournal journal = AppJournal.For(Key, "https://manage.runcloud.io/api/v3/", listedAt);
            journal.SetExtension(SyncRecord.Owner, record);
            Records.Add(journal, record);
            return journal;
        }

        private static ChangeDecision Decide(IReadOnlyList<DesiredEntry> desired, AppJournal? journal, SyncOptions? guards = null, AppRunOptions? run = null,
            DateTime? changedOutside = null, DateTime? now = null, string? stamp = null) =>
            ChangeDetector.Decide(desired, guards ?? new SyncOptions(), run ?? Run(), stamp, journal,
                journal != null && Records.TryGetValue(journal, out SyncRecord? record) ? record : null, changedOutside, now ?? Now);

        [Fact]
        public void TheFirstSyncListsInFull()
        {
            ChangeDecision d = Decide(E("a.example.com"), null);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("no clean sync", d.Reason);
        }

        [Fact]
        public void AnUnchangedSourceNeedsNoCallAndSaysSinceWhenAndTheNextFullCheck()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-5));
            ChangeDecision d = Decide(E(Names(100).AsEnumerable().Reverse().Select(n => n.ToUpperInvariant()).ToArray()), journal);
            Assert.Equal(ReadWay.Unchanged, d.Way);
            Assert.Equal(0, d.ReadCalls);
            Assert.Equal("source unchanged since 2031-03-07 07:00:00Z; next full check at 2031-03-11 07:00:00Z", d.Reason);
            Assert.Equal(Now.AddHours(-5).AddDays(1), d.NextFullCheck);
        }

        [Fact]
        public void OneAddedNameIsOneSearchInsteadOfTheListing()
        {
            List<DesiredEntry> before = E(Names(400).ToArray());
            AppJournal journal = Recorded(before, new SyncOptions(), Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(E(Names(400).Append("new.example.org").ToArray()), journal);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(new[] { "new.example.org" }, d.Check);
            Assert.Equal(1, d.ReadCalls);
            Assert.Equal(11, d.ListingPages); // 401 domains on the app: ceil(401/40)
            Assert.Contains("1 name(s) changed", d.Reason);
        }

        [Fact]
        public void ARemovedNameIsSearchedOnlyWhenThePruneWouldRemoveIt()
        {
            var prune = new SyncOptions { Prune = true };
            List<string> all = Names(400);
            AppJournal journal = Recorded(E(all.ToArray()), prune, Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(E(all.Skip(1).ToArray()), journal, prune);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(new[] { all[0] }, d.Check);
        }

        [Fact]
        public void ASearchThatMatchesManyNamesIsPredictedAsMorePages()
        {
            // RunCloud's search matches names that CONTAIN the text: "example.com" is in all 100 of them.
            IEnumerable<SyncRecordDomain> known = Names(100).Select(n => new SyncRecordDomain { Name = n });
            Assert.Equal(3, ChangeDetector.SearchPages("example.com", known));
            Assert.Equal(1, ChangeDetector.SearchPages("site0001.example.com", known));
            Assert.Equal(1, ChangeDetector.SearchPages("absent.example.org", known));
        }

        [Fact]
        public void ManyChangesOnASmallAppListItInstead()
        {
            AppJournal journal = Recorded(E(Names(30).ToArray()), new SyncOptions(), Run(), Now.AddHours(-1));
            // One listing page holds the whole app: no search is cheaper than that.
            ChangeDecision d = Decide(E(Names(31).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("costs no less than listing the app (1 page(s))", d.Reason);
            Assert.Equal(1, d.ReadCalls);

            journal = Recorded(E(Names(400).ToArray()), new SyncOptions(), Run(), Now.AddHours(-1));
            d = Decide(E(Names(400).Concat(Names(11, "extra")).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way); // 11 searches against an 11-page listing
            d = Decide(E(Names(400).Concat(Names(10, "extra")).ToArray()), journal);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(10, d.ReadCalls);
        }

        [Fact]
        public void TheFullCheckIsDueAfterReconcileEvery()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddDays(-1));
            ChangeDecision d = Decide(desired, journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("the full check is due (the last was at 2031-03-09 12:00:00Z, -ReconcileEvery 1.00:00:00)", d.Reason);
            Assert.Equal(3, d.ReadCalls);

            AppRunOptions weekly = Run();
            weekly.ReconcileEvery = TimeSpan.FromDays(7);
            Assert.Equal(ReadWay.Unchanged, Decide(desired, journal, run: weekly).Way);
        }

        [Fact]
        public void FullOwedWorkAndChangesMadeOutsideTheSyncListInFull()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            Assert.Equal(ReadWay.Full, Decide(desired, journal, run: Run(full: true)).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, changedOutside: Now.AddMinutes(-10)).Way);
            Assert.Equal(ReadWay.Unchanged, Decide(desired, journal, changedOutside: Now.AddHours(-2)).Way);

            journal.PendingAdds.Add("half-done.example.com");
            ChangeDecision d = Decide(desired, journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("left work owed", d.Reason);
        }

        [Fact]
        public void ChangedOptionsListInFull()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { Prune = true }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { MaxRemove = 11 }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { Exclude = NamePattern.ParseAll(new[] { "*.test" }, "-Exclude") }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { ProtectedName = Array.Empty<NamePattern>(), SourceProtects = _ => false, SourceProtectsKey = "a" }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, run: Run(www: true)).Way);
        }

        [Fact]
        public void NamesWaitingForDnsOrResetSslAreNeverSkipped()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(desired, journal, run: Run(resetSsl: true));
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Empty(d.Check);
            Assert.Equal(0, d.ReadCalls);

            journal.SetExtension(SslJournalData.Owner, new SslJournalData { NotReady = { new NotReadyName { Name = "site0001.example.com" } } });
            Assert.Equal(ReadWay.Targeted, Decide(desired, journal).Way);
        }

        [Fact]
        public void TheSameSourceStampMeansUnchanged()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            Records.TryGetValue(journal, out SyncRecord? record);
            record!.SourceStamp = "stamp-1";
            Assert.Equal(ReadWay.Unchanged, Decide(E("changed-without-the-stamp-knowing.example.com"), journal, stamp: "stamp-1").Way);
            Assert.Equal(ReadWay.Targeted, Decide(E(Names(101).ToArray()), journal, stamp: "stamp-2").Way);
        }

        [Fact]
        public void ARecordOfAnotherFormatOrUnreadableIsNoRecord()
        {
            AppJournal journal = AppJournal.For(Key, null, Now);
            journal.Extensions[SyncRecord.Owner] = Newtonsoft.Json.Linq.JToken.Parse("{\"version\":99,\"fingerprint\":\"x\"}");
            Assert.Null(ChangeDetector.Read(journal));
            journal.Extensions[SyncRecord.Owner] = Newtonsoft.Json.Linq.JToken.Parse("{\"version\":1,\"recordedAt\":\"not a date\"}");
            Assert.Null(ChangeDetector.Read(journal));
            Assert.Equal(ReadWay.Full, Decide(E("a.example.com"), journal).Way);
        }

        [Fact]
        public void TheAppliedSetIsTrustedOnlyWhenItsHashIsTheJournals()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            List<DesiredEntry> desired = E("a.example.com", "tab\there", "b.example.com");
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now);
            Records.TryGetValue(journal, out SyncRecord? record);
            SyncRecords.Save(store, Key, journal, record!, Now);

            SyncRecord loaded = SyncRecords.Load(store, Key, store.Load(Key))!;
            Assert.Equal(record!.Desired, loaded.Desired);
            Assert.Equal(record.Domains.Select(d => (d.Id, d.Name, d.Type)), loaded.Domains.Select(d => (d.Id, d.Name, d.Type)));
            Assert.Equal(4, loaded.DomainCount);
            Assert.DoesNotContain("domains", store.Load(Key)!.Extensions[SyncRecord.Owner]!.ToString()); // the journal stays small

            // An applied set edited, cut short or missing is not trusted: the next run lists in full.
            File.AppendAllText(store.AppliedPath(Key), "domain\t99\textra.example.com\talias\t0\tnone\t0\n");
            Assert.Null(SyncRecords.Load(store, Key, store.Load(Key)));
            File.Delete(store.AppliedPath(Key));
            Assert.Null(SyncRecords.Load(store, Key, store.Load(Key)));
        }

        [Fact]
        public void TheFingerprintCoversEveryEntryAndEveryOptionThatShapesThePlan()
        {
            string F(IEnumerable<DesiredEntry> e, SyncOptions? g = null, AppRunOptions? r = null) => DesiredFingerprint.Compute(e, g ?? new SyncOptions(), r ?? Run()).Whole;
            string baseline = F(E("a.example.com", "b.example.com"));
            Assert.Equal(baseline, F(E("B.Example.com.", "a.example.com", "")));          // order, case, trailing dot, blank lines
            Assert.NotEqual(baseline, F(E("a.example.com")));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com", "c.example.com")));
            Assert.NotEqual(baseline, F(E("a.example.com").Append(new DesiredEntry("b.example.com", "not a domain"))));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { AllowEmptySource = true }));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { AllowInvalidEntries = true }));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { ProtectedName = NamePattern.ParseAll(new[] { "*.x" }, "p") }));
            AppRunOptions redirect = Run();
            redirect.Redirection = "www";
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), r: redirect));
            var protects = new SyncOptions { SourceProtects = _ => true, SourceProtectsKey = "k1" };
            Assert.NotEqual(F(E("a.example.com"), protects), F(E("a.example.com"), new SyncOptions { SourceProtects = _ => true, SourceProtectsKey = "k2" }));

            // Name by name: what changed between two desired sets.
            var before = DesiredFingerprint.Compute(E("a.example.com", "b.example.com", "bad entry!"), new SyncOptions(), Run()).Entries;
            var now = DesiredFingerprint.Compute(E("b.example.com", "c.example.com"), new SyncOptions(), Run()).Entries;
            Assert.Equal(new[] { "!bad entry!", "a.example.com", "c.example.com" }, DesiredFingerprint.Changed(before, now));
        }
    }
}
