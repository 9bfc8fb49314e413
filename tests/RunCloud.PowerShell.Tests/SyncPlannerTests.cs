using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sync;
using Xunit;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The sync's plan and guards, decided with no HTTP and no PowerShell.</summary>
    public class SyncPlannerTests
    {
        private static RunCloudDomain D(long id, string name, string type = "alias") =>
            RunCloudDomain.FromJson(new JObject { ["id"] = id, ["name"] = name, ["type"] = type }, 1, 2);

        private static RunCloudDomain Raw(string json) => RunCloudDomain.FromJson(JObject.Parse(json), 1, 2);

        private static IEnumerable<DesiredEntry> E(params string[] names) => names.Select(n => new DesiredEntry(n));

        private static SyncOptions Prune(int maxRemove = 10) => new SyncOptions { Prune = true, MaxRemove = maxRemove };

        private static readonly RunCloudDomain[] App =
        {
            D(1, "main.example.com", "primary"), D(2, "keep.example.com"), D(3, "old.example.com"), D(4, "x.runcloud.link"),
        };

        [Fact]
        public void Plan_AddsMissing_RemovesOnlyWithPrune_NeverPrimary()
        {
            SyncPlan p = SyncPlanner.Plan(E("keep.example.com", "new.example.com"), App, new SyncOptions());
            Assert.Equal(SyncVerdict.Proceed, p.Verdict);
            Assert.Equal(new[] { "new.example.com" }, p.ToAdd);
            Assert.Empty(p.ToRemove);
            Assert.Equal(new[] { "main.example.com", "old.example.com", "x.runcloud.link" }, p.Kept);

            p = SyncPlanner.Plan(E("keep.example.com"), App, new SyncOptions
            {
                Prune = true,
                ProtectedName = NamePattern.ParseAll(new[] { "*.runcloud.link" }, "-ProtectedName"),
            });
            Assert.Equal(new long[] { 3 }, p.ToRemove.Select(d => d.Id));
            Assert.Contains(p.Skipped, s => s.Name == "main.example.com" && s.Reason.Contains("primary"));
            Assert.Contains(p.Skipped, s => s.Name == "x.runcloud.link");
        }

        [Theory]
        [InlineData("https://old.example.com/", "old.example.com")]
        [InlineData("old.example.com:443", "old.example.com")]
        [InlineData("old.example.com www.old.example.com", "old.example.com")]
        [InlineData("admin@old.example.com", "old.example.com")]
        [InlineData("old.example.com/shop", "old.example.com")]
        public void Plan_InvalidEntry_StopsThePrune_AndItsNameIsNeverRemoved(string entry, string recovered)
        {
            SyncPlan p = SyncPlanner.Plan(E("keep.example.com", "new.example.com", entry), App, Prune());
            Assert.Equal(SyncVerdict.Proceed, p.Verdict);
            Assert.Equal(new[] { "new.example.com" }, p.ToAdd); // adds proceed
            Assert.Empty(p.ToRemove);
            Assert.NotNull(p.PruneStoppedMessage);
            Assert.Contains(entry, p.PruneStoppedMessage);
            Assert.Contains("-AllowInvalidEntries", p.PruneStoppedMessage);
            Assert.Contains(recovered, p.RecoveredNames);

            // Even when the user accepts invalid entries, the name an entry recoverably meant stays.
            p = SyncPlanner.Plan(E("keep.example.com", entry), App, new SyncOptions { Prune = true, AllowInvalidEntries = true });
            Assert.Null(p.PruneStoppedMessage);
            Assert.DoesNotContain(p.ToRemove, d => d.Name == recovered);
            Assert.Contains(p.Skipped, s => s.Name == recovered && s.Reason.Contains("invalid entry"));
        }

        [Fact]
        public void Plan_EmptySource_IsRefused_UnlessAllowEmptySource()
        {
            SyncPlan p = SyncPlanner.Plan(E(), App, Prune());
            Assert.Equal(SyncVerdict.EmptySource, p.Verdict);
            Assert.Contains("-AllowEmptySource", p.VerdictMessage);
            Assert.DoesNotContain("-Force", p.VerdictMessage);
            Assert.Empty(p.ToRemove);

            p = SyncPlanner.Plan(E(), App, new SyncOptions { Prune = true, AllowEmptySource = true });
            Assert.Equal(SyncVerdict.Proceed, p.Verdict);
            Assert.Equal(new long[] { 2, 3, 4 }, p.ToRemove.Select(d => d.Id));
        }

        [Fact]
        public void Plan_MoreRemovalsThanMaxRemove_IsRefused_UntilMaxRemoveIsRaised()
        {
            SyncPlan p = SyncPlanner.Plan(E("keep.example.com"), App, Prune(maxRemove: 1));
            Assert.Equal(SyncVerdict.TooManyRemovals, p.Verdict);
            Assert.Contains("-MaxRemove 2", p.VerdictMessage);
            Assert.DoesNotContain("-Force", p.VerdictMessage);
            Assert.Equal(SyncVerdict.Proceed, SyncPlanner.Plan(E("keep.example.com"), App, Prune(maxRemove: 2)).Verdict);
        }

        [Theory]
        [InlineData("OLD.example.com")]
        [InlineData("old.example.com.")]
        [InlineData("Old.Example.Com.")]
        public void Plan_ServerNamesAreNormalisedLikeInput(string serverName)
        {
            SyncPlan p = SyncPlanner.Plan(E("old.example.com"), new[] { D(1, "main.example.com", "primary"), D(3, serverName) }, Prune());
            Assert.Empty(p.ToAdd);
            Assert.Empty(p.ToRemove);
            Assert.Equal(new[] { "old.example.com" }, p.Unchanged);
        }

        [Fact]
        public void Plan_UnicodeServerName_MatchesPunycodeInput_AndViceVersa()
        {
            SyncPlan p = SyncPlanner.Plan(E("xn--bcher-kva.example.com"), new[] { D(1, "main.example.com", "primary"), D(3, "bücher.example.com") }, Prune());
            Assert.Empty(p.ToAdd);
            Assert.Empty(p.ToRemove);
            p = SyncPlanner.Plan(E("bücher.example.com"), new[] { D(1, "main.example.com", "primary"), D(3, "xn--bcher-kva.example.com") }, Prune());
            Assert.Empty(p.ToAdd);
            Assert.Empty(p.ToRemove);
        }

        [Theory]
        [InlineData("{\"id\":5,\"type\":\"alias\"}", "no name")]
        [InlineData("{\"id\":5,\"name\":\"\",\"type\":\"alias\"}", "no name")]
        [InlineData("{\"id\":5,\"name\":\"a.example.com\"}", "no type")]
        [InlineData("{\"id\":5,\"name\":\"a.example.com\",\"type\":\"weird\"}", "not alias, primary or redirect")]
        [InlineData("{\"name\":\"a.example.com\",\"type\":\"alias\"}", "no id")]
        [InlineData("{\"id\":0,\"name\":\"a.example.com\",\"type\":\"alias\"}", "not a positive whole number")]
        [InlineData("{\"id\":5,\"name\":\"not a host\",\"type\":\"alias\"}", "white space")]
        public void Plan_InvalidServerItem_ChangesNothing_AndNamesTheItem(string item, string problem)
        {
            var current = new List<RunCloudDomain>(App) { Raw(item) };
            SyncPlan p = SyncPlanner.Plan(E("keep.example.com", "new.example.com"), current, Prune());
            Assert.Equal(SyncVerdict.InvalidResponse, p.Verdict);
            Assert.Contains("item 5", p.VerdictMessage);
            Assert.Contains(problem, p.VerdictMessage);
            Assert.Contains("Nothing was changed", p.VerdictMessage);
            Assert.Empty(p.ToAdd);
            Assert.Empty(p.ToRemove);
        }

        [Fact]
        public void Plan_ExcludeAndProtectedName_AreNormalised()
        {
            var app = new[] { D(1, "main.example.com", "primary"), D(2, "xn--bcher-kva.example.com"), D(3, "shop.example.com") };
            foreach (string pattern in new[] { "bücher.example.com", "BÜCHER.example.com.", "xn--bcher-kva.example.com", "bü*.example.com", "*.EXAMPLE.com" })
            {
                SyncPlan p = SyncPlanner.Plan(E("shop.example.com"), app, new SyncOptions { Prune = true, Exclude = NamePattern.ParseAll(new[] { pattern }, "-Exclude") });
                Assert.DoesNotContain(p.ToRemove, d => d.Id == 2);
                p = SyncPlanner.Plan(E("shop.example.com"), app, new SyncOptions { Prune = true, ProtectedName = NamePattern.ParseAll(new[] { pattern }, "-ProtectedName") });
                Assert.DoesNotContain(p.ToRemove, d => d.Id == 2);
            }

            var ex = Assert.Throws<ArgumentException>(() => NamePattern.Parse("https://x.example.com/", "-Exclude"));
            Assert.Contains("-Exclude", ex.Message);
        }

        [Fact]
        public void Plan_DuplicateServerItems_AreRemovedOnce()
        {
            SyncPlan p = SyncPlanner.Plan(E("keep.example.com"), new[] { D(1, "main.example.com", "primary"), D(3, "old.example.com"), D(3, "old.example.com") }, Prune());
            Assert.Single(p.ToRemove);
        }

        [Fact]
        public void Plan_EntriesRefusedWhileReading_CountAsInvalid()
        {
            SyncPlan p = SyncPlanner.Plan(new[] { new DesiredEntry("keep.example.com"), new DesiredEntry("{ Url = https://old.example.com }", "Not a domain: no Domain property") }, App, Prune());
            Assert.NotNull(p.PruneStoppedMessage);
            Assert.Contains("old.example.com", p.RecoveredNames);
        }
    }
}
