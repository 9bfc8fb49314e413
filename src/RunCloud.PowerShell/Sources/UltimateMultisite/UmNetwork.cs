namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>One WordPress network of the installation (a row of {prefix}site) and its UM settings.</summary>
    internal sealed class UmNetwork
    {
        public long Id { get; set; }

        /// <summary>The network's main domain (lower-case).</summary>
        public string Domain { get; set; } = string.Empty;

        public string Path { get; set; } = "/";

        /// <summary>auto_create_www_subdomain of this network's wp-ultimo_v2_settings (Always when UM has not saved it).</summary>
        public UmWwwPolicy WwwPolicy { get; set; } = UmWwwPolicy.Always;

        /// <summary>True when the network has a wp-ultimo_v2_settings option (UM is configured there).</summary>
        public bool HasUmSettings { get; set; }

        /// <summary>The mapping table UM writes for this network: {prefix}wu_domain_mappings for the main one, {prefix}wu_N_domain_mappings for another; null when none was found.</summary>
        public string? MappingTable { get; set; }

        public override string ToString() => Domain + Path;
    }
}
