namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One entry of the desired list as the source gave it; <see cref="Problem"/> is set when it was already refused while
    /// reading (not a domain at all). A source with a policy of its own (an Ultimate Multisite network) sets each name's
    /// www and redirection, and where it comes from; a list leaves them null and the run's -Www / -Redirection apply.
    /// </summary>
    internal sealed class DesiredEntry
    {
        public DesiredEntry(string raw, string? problem = null)
        {
            Raw = raw;
            Problem = problem;
        }

        public string Raw { get; }

        public string? Problem { get; }

        /// <summary>Added with www.&lt;name&gt; too; null: the run's default (-Www, a manifest's "www").</summary>
        public bool? Www { get; set; }

        /// <summary>none, www or non-www; null: the run's default (-Redirection, a manifest's "redirection").</summary>
        public string? Redirection { get; set; }

        /// <summary>Where the name comes from (a UM mapping row, a network, a site); null for a plain list.</summary>
        public NameOrigin? Origin { get; set; }

        public override string ToString() => Raw;
    }
}
