namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>One site of the installation (a row of {prefix}blogs).</summary>
    internal sealed class UmBlog
    {
        public long BlogId { get; set; }

        /// <summary>site_id: the network the site belongs to.</summary>
        public long NetworkId { get; set; }

        /// <summary>The site's own host (lower-case).</summary>
        public string Domain { get; set; } = string.Empty;

        public string Path { get; set; } = "/";

        public bool Archived { get; set; }

        public bool Spam { get; set; }

        /// <summary>deleted is not 0 (1: deleted; 2: not activated yet): WordPress answers visitors with an error page.</summary>
        public bool Deleted { get; set; }

        /// <summary>Domain and path, e.g. shop.network.tld/ or network.tld/shop/.</summary>
        public string SiteHost => Domain + Path;

        public override string ToString() => SiteHost;
    }
}
