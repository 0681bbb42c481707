// Casusoverleg — production infrastructure (resource-group scope).
//
//   Azure Bot (SingleTenant, Teams channel) ──> Web App (Linux, Python 3.11 or container)
//                                                 │  system-assigned identity
//                                                 ├──> Key Vault (RBAC): app secret, DATABASE_URL
//                                                 └──> PostgreSQL Flexible Server 16, db "casusoverleg"
//
// The Entra ID app registration (the bot's identity) is created outside this template; pass
// its Application (client) ID and tenant ID. Deploy with (see deployment/README.md):
//
//   az deployment group create -g <rg> -f deployment/azure/main.bicep \
//     -p @deployment/azure/main.parameters.json -p postgresAdminPassword=<secret>

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

@description('Short lowercase name used to derive resource names.')
@minLength(3)
@maxLength(20)
param baseName string = 'casusoverleg'

@description('Region for all regional resources. West Europe (Netherlands) keeps data in the EU/NL.')
param location string = resourceGroup().location

@description('Name of the Web App; the bot is served at https://<name>.azurewebsites.net. Globally unique.')
param webAppName string = '${baseName}-${take(uniqueString(resourceGroup().id), 6)}'

@description('Application (client) ID of the Entra app registration of the bot (a GUID).')
param microsoftAppId string

@description('Directory (tenant) ID of the Entra app registration (SingleTenant bot).')
param microsoftAppTenantId string = tenant().tenantId

@description('Comma-separated Entra tenant IDs whose users may use the bot. Default: the bot\'s own tenant.')
param allowedTenantIds string = microsoftAppTenantId

@description('The library behind /api/messages: botbuilder (Bot Framework SDK, retired) or agents (Microsoft 365 Agents SDK). Switching needs no data change.')
@allowed([
  'botbuilder'
  'agents'
])
param botHost string = 'botbuilder'

@description('Comma-separated Entra object IDs of the functional administrators (beheer).')
param adminObjectIds string = ''

@description('Client secret of the app registration. Leave empty and set the Key Vault secret "microsoft-app-password" yourself (recommended).')
@secure()
param microsoftAppPassword string = ''

@description('Administrator login of the PostgreSQL server.')
param postgresAdminLogin string = 'casusadmin'

@description('Administrator password of the PostgreSQL server (12+ chars; upper, lower, digit, symbol). Stored in Key Vault as part of DATABASE_URL.')
@secure()
@minLength(12)
param postgresAdminPassword string

@description('PostgreSQL compute. Burstable B1ms is enough for one municipality; use GeneralPurpose for more load.')
param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('Days PostgreSQL keeps point-in-time backups. Deleted/anonymised casus data lives on in backups this long.')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 14

@description('App Service plan SKU (Linux). B1 for a pilot, P0v3/P1v3 for production.')
param appServiceSkuName string = 'P0v3'

@description('Number of Web App instances. The bot keeps no request state in memory, so >1 is fine.')
@minValue(1)
param instanceCount int = 1

@description('Container image to run, e.g. myregistry.azurecr.io/casusoverleg:1.0.0. Empty = deploy code to the built-in Python 3.11 runtime.')
param containerImage string = ''

@description('Name of the Azure Container Registry in this resource group holding containerImage; the Web App identity gets AcrPull on it. Empty = none (registry elsewhere: assign AcrPull yourself).')
param containerRegistryName string = ''

@description('Path App Service probes for instance health, e.g. /healthz. Empty = no health check.')
param healthCheckPath string = '/healthz'

@description('Azure Bot pricing tier. Teams is a standard channel (free on both); S1 carries the SLA.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'S1'

@description('Object ID of a user or group that may set Key Vault secrets (Key Vault Secrets Officer). Empty = none.')
param secretsOfficerPrincipalId string = ''

@description('Allow basic-auth (publishing profile) deployments to the SCM site. Off: deploy with Entra ID (az webapp deploy).')
param allowScmBasicAuth bool = false

param tags object = {
  application: 'casusoverleg'
}

// ---------------------------------------------------------------------------------------
// Names and constants
// ---------------------------------------------------------------------------------------

var suffix = uniqueString(resourceGroup().id)
var planName = '${baseName}-plan'
var botName = '${baseName}-bot-${suffix}'
var keyVaultName = 'kv-${take(baseName, 6)}-${suffix}' // max 24 characters
var postgresServerName = '${baseName}-pg-${suffix}'
var databaseName = 'casusoverleg'

// The host Teams and the Bot Connector call; also BOT_DOMAIN for the Teams app package.
var botDomain = '${webAppName}.azurewebsites.net'

var appPasswordSecretName = 'microsoft-app-password'
var databaseUrlSecretName = 'database-url'
var signingKeySecretName = 'download-signing-key'

var useContainer = !empty(containerImage)

// Built-in role definition IDs.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

// ---------------------------------------------------------------------------------------
// Key Vault (RBAC) and secrets
// ---------------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // The Web App reaches Key Vault over the public endpoint (no VNet in this template);
    // access is decided by Entra ID RBAC.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource appPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(microsoftAppPassword)) {
  parent: keyVault
  name: appPasswordSecretName
  properties: {
    value: microsoftAppPassword
    contentType: 'Entra app registration client secret'
  }
}

resource databaseUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: databaseUrlSecretName
  properties: {
    // SQLAlchemy async URL for asyncpg; TLS required.
    value: 'postgresql+asyncpg://${uriComponent(postgresAdminLogin)}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?ssl=require'
    contentType: 'SQLAlchemy database URL'
  }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL Flexible Server
// ---------------------------------------------------------------------------------------

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: postgresServerName
  location: location
  tags: tags
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: '16'
    createMode: 'Default'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
    }
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: postgresBackupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      // Reachable only through the firewall rule below (Azure services); TLS is enforced
      // by the server default require_secure_transport=on.
      publicNetworkAccess: 'Enabled'
    }
  }
}

// 0.0.0.0–0.0.0.0 is Azure's special rule "allow Azure services"; no internet client gets in.
resource postgresAllowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  // One change at a time on the server avoids "server busy" conflicts.
  dependsOn: [
    postgresAllowAzure
  ]
}

// ---------------------------------------------------------------------------------------
// App Service plan and Web App
// ---------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServiceSkuName
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

var commonSettings = [
  {
    name: 'MicrosoftAppId'
    value: microsoftAppId
  }
  {
    name: 'MicrosoftAppType'
    value: 'SingleTenant'
  }
  {
    name: 'BOT_HOST'
    value: botHost
  }
  {
    name: 'MicrosoftAppTenantId'
    value: microsoftAppTenantId
  }
  {
    name: 'MicrosoftAppPassword'
    value: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${appPasswordSecretName}/)'
  }
  {
    name: 'DATABASE_URL'
    value: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${databaseUrlSecretName}/)'
  }
  {
    // Signs the short-lived letter download links; the same on every instance.
    name: 'DOWNLOAD_SIGNING_KEY'
    value: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${signingKeySecretName}/)'
  }
  {
    // The client address of a download attempt (audit log, rate limit): App Service's front
    // end appends the address it saw to X-Forwarded-For, and only the front ends reach the app.
    name: 'TRUSTED_PROXY_HEADER'
    value: 'X-Forwarded-For'
  }
  {
    // Add one for each proxy in front of App Service (Front Door, Application Gateway).
    name: 'TRUSTED_PROXY_COUNT'
    value: '1'
  }
  {
    name: 'ALLOWED_TENANT_IDS'
    value: allowedTenantIds
  }
  {
    name: 'ADMIN_OBJECT_IDS'
    value: adminObjectIds
  }
  {
    name: 'LOG_LEVEL'
    value: 'INFO'
  }
  {
    // Worker processes on the port; one per core of the App Service plan.
    name: 'WEB_CONCURRENCY'
    value: '2'
  }
  {
    name: 'PUBLIC_BASE_URL'
    value: 'https://${botDomain}'
  }
  {
    name: 'PORT'
    value: '3978'
  }
  {
    name: 'WEBSITES_PORT'
    value: '3978'
  }
  {
    name: 'PYTHONUNBUFFERED'
    value: '1'
  }
]

var codeSettings = [
  // Oryx installs the app at deployment time (needs requirements.txt at the repo root).
  {
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'true'
  }
]

var containerSettings = [
  {
    name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
    value: 'false'
  }
]

resource webApp 'Microsoft.Web/sites@2024-04-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: useContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false // no sticky sessions: any instance can serve any turn
    publicNetworkAccess: 'Enabled' // Teams / Bot Connector must reach /api/messages
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: useContainer ? 'DOCKER|${containerImage}' : 'PYTHON|3.11'
      appCommandLine: useContainer ? '' : 'python -m bot'
      acrUseManagedIdentityCreds: useContainer && contains(containerImage, '.azurecr.io/')
      alwaysOn: true // the reminder loop runs in the app
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      healthCheckPath: empty(healthCheckPath) ? null : healthCheckPath
      appSettings: concat(commonSettings, useContainer ? containerSettings : codeSettings)
    }
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: webApp
  name: 'scm'
  properties: {
    allow: allowScmBasicAuth
  }
}

// ---------------------------------------------------------------------------------------
// Role assignments
// ---------------------------------------------------------------------------------------

// The Web App reads its secrets (Key Vault references) with its system-assigned identity.
resource webAppSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, webApp.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Optional: an operator (group) who sets and rotates the secrets.
resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(keyVault.id, secretsOfficerPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: secretsOfficerPrincipalId
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(containerRegistryName)) {
  name: containerRegistryName
}

resource webAppAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(containerRegistryName)) {
  name: guid(resourceGroup().id, containerRegistryName, webApp.id, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------
// Azure Bot with the Teams channel
// ---------------------------------------------------------------------------------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: 'Casusoverleg'
    description: 'PGA-casusoverleg in Microsoft Teams'
    endpoint: 'https://${botDomain}/api/messages'
    msaAppId: microsoftAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: microsoftAppTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

// ---------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------

@description('Host name to pass as --domain / BOT_DOMAIN to deployment/build_teams_package.py.')
output botDomain string = botDomain
output messagingEndpoint string = bot.properties.endpoint
output webAppName string = webApp.name
output webAppPrincipalId string = webApp.identity.principalId
output keyVaultName string = keyVault.name
output keyVaultUri string = keyVault.properties.vaultUri
output postgresServerFqdn string = postgres.properties.fullyQualifiedDomainName
output databaseName string = database.name
output botName string = bot.name
