#!/usr/bin/env node
console.log('sightline');
