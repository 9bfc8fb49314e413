using System;

namespace RunCloud.Emulator
{
    /// <summary>A site of the emulated Ultimate Multisite network (a {prefix}blogs row).</summary>
    public sealed class EmulatedUmSite
    {
        public long BlogId { get; set; }

        /// <summary>The network the site belongs to ({prefix}site id); 1 for the main network.</summary>
        public long SiteId { get; set; } = 1;

        public string Domain { get; set; } = string.Empty;

        public string Path { get; set; } = "/";

        public bool Archived { get; set; }

        public bool Spam { get; set; }

        public bool Deleted { get; set; }

        internal EmulatedUmSite Clone() => (EmulatedUmSite)MemberwiseClone();

        public override string ToString() => $"{BlogId} {Domain}{Path}";
    }

    /// <summary>A row of the emulated network's wu_domain_mappings.</summary>
    public sealed class EmulatedUmMapping
    {
        public long Id { get; set; }

        public long BlogId { get; set; }

        public string Domain { get; set; } = string.Empty;

        /// <summary>UM's switch (the admin's on/off); UM never sets it to false itself.</summary>
        public bool Active { get; set; } = true;

        public bool Primary { get; set; }

        public bool Secure { get; set; }

        /// <summary>checking-dns, checking-ssl-cert, done-without-ssl, done, failed or ssl-failed.</summary>
        public string Stage { get; set; } = "done";

        public DateTime DateCreated { get; set; } = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public DateTime DateModified { get; set; } = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        internal EmulatedUmMapping Clone() => (EmulatedUmMapping)MemberwiseClone();

        public override string ToString() => $"{Id} {Domain} (site {BlogId}, {(Active ? "active" : "inactive")}, {Stage})";
    }
}
