namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>Why UM's data could not be read; each maps to one ErrorId.</summary>
    public enum UmReadFailure
    {
        /// <summary>wp-config.php (or a file it includes) does not give the database settings unambiguously.</summary>
        Configuration,

        /// <summary>The database refused the user name or password, or UM's REST API refused the key and secret (401/403).</summary>
        Authentication,

        /// <summary>The server could not be reached (refused, unknown host, no socket).</summary>
        Connection,

        /// <summary>A table or column UM or WordPress should have is missing, or has another shape.</summary>
        Schema,

        /// <summary>A table was locked longer than the wait allows.</summary>
        Locked,

        /// <summary>A read took longer than allowed.</summary>
        Timeout,

        /// <summary>A value could not be read (PHP-serialized settings, a JSON answer, WP-CLI's output).</summary>
        UnreadableData,

        /// <summary>The source answered fewer rows than it holds (WP-CLI's 100-row cap, a REST page missing).</summary>
        Truncated,

        /// <summary>WP-CLI failed or is not installed.</summary>
        WpCli,

        /// <summary>UM's REST API answered an error.</summary>
        Rest,

        /// <summary>A credential UM keeps in the database cannot be decrypted here.</summary>
        Credential,
    }
}
