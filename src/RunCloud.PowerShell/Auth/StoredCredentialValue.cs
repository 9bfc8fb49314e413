namespace RunCloud.PowerShell.Auth
{
    /// <summary>A RunCloud constant's value found outside wp-config.php (UM's network option), and where, for the verbose line; never logged itself.</summary>
    internal readonly struct StoredCredentialValue
    {
        public StoredCredentialValue(string value, string where)
        {
            Value = value;
            Where = where;
        }

        public string Value { get; }

        /// <summary>E.g. "UM's network option wu_hosting_credential_WU_RUNCLOUD_API_TOKEN in database wp on 127.0.0.1:3306 (decrypted in process)".</summary>
        public string Where { get; }
    }
}
