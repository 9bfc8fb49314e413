namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>Why a mapped name is not in the desired set.</summary>
    public enum UmNotServedReason
    {
        /// <summary>active = 0: the admin switched the mapping off.</summary>
        Inactive,

        /// <summary>The site is deleted (deleted = 1, or 2: never activated): WordPress answers its visitors with an error page.</summary>
        SiteDeleted,

        /// <summary>The site is marked spam: WordPress answers its visitors with "archived or suspended" (410).</summary>
        SiteSpam,

        /// <summary>The row's site does not exist in {prefix}blogs: UM's routing finds no site to serve.</summary>
        SiteMissing,

        /// <summary>The row holds a network's main domain (written by mistake by UM 2.4.0-2.4.6 on subdirectory installs): the main domain is served as the network's own host, not as a customer mapping.</summary>
        NetworkMainDomain,

        /// <summary>The row is in a wu_N_domain_mappings table whose network does not exist.</summary>
        NetworkMissing,

        /// <summary>The row's domain is not a valid host name.</summary>
        InvalidName,

        /// <summary>The same name is mapped again by another row (the first row wins).</summary>
        Duplicate,
    }
}
